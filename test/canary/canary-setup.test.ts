/**
 * The canary custom resource against dynalite on 127.0.0.1 and an S3 stand-in. No local S3 server is
 * installed, so the stand-in is a real S3Client with a middleware that records each PutObject and
 * DeleteObject and returns an empty response before anything is signed or sent.
 */
import { S3Client, S3ServiceException, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { CANARY_OBJECT_CONTENT } from '../../src/canary/canary-grant';
import { applyCanarySetup, type CanarySetupProperties } from '../../src/canary/setup';
import type { Grant } from '../../src/domain/types';
import { putGrants, type GrantsTable } from '../../src/grants/grant-repository';
import { GRANT_ID_INDEX_NAME } from '../../src/grants/table-definition';
import { scanGrants, useLocalGrantsTables } from '../grants/support/local-grants-tables';

const tables = useLocalGrantsTables();

const ACCOUNT = '111122223333';
const READER_ROLE = `arn:aws:iam::${ACCOUNT}:role/phi-guard-CanaryGrantedReaderRole-1A2B3C`;
const NEW_READER_ROLE = `arn:aws:iam::${ACCOUNT}:role/phi-guard-CanaryGrantedReaderRole-4D5E6F`;
const SETUP_ROLE = `arn:aws:iam::${ACCOUNT}:role/phi-guard-CanarySetupRole-7G8H9I`;
const NEW_SETUP_ROLE = `arn:aws:iam::${ACCOUNT}:role/phi-guard-CanarySetupRole-0J1K2L`;
const BUCKET = 'example-phi-records';
const KEY = 'phi-guard-canary/synthetic-object.txt';
const NEW_KEY = 'phi-guard-canary/moved-object.txt';
const SERVICE_TOKEN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:phi-guard-CanarySetup`;
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/phi-guard/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** CloudFormation request ids, with the first 16 hex digits of their SHA-256, which the grant ids end with. */
const REQUEST_1 = '11111111-1111-4111-8111-111111111111';
const SUFFIX_1 = 'bd7662a5eeb41614';
const REQUEST_2 = '22222222-2222-4222-8222-222222222222';
const SUFFIX_2 = 'b454f82c5857ebab';
const REQUEST_3 = '33333333-3333-4333-8333-333333333333';
const SUFFIX_3 = 'f6222a1106eefe4f';
const REQUEST_4 = '44444444-4444-4444-8444-444444444444';

const CREATED_AT = '2025-03-01T12:00:00.750Z';
/** `CREATED_AT` cut to the second, because CloudTrail records eventTime in whole seconds. */
const NOT_BEFORE = '2025-03-01T12:00:00.000Z';
const LATER = '2025-03-02T08:30:15.250Z';
const REVOKED_BY = 'phi-guard canary setup';
const DELETE_REASON = 'The canary custom resource was deleted, which removes its object and its grants.';
const UPDATE_REASON =
  'A stack update replaced a canary role or moved the canary object, so the canary no longer needs this grant.';

/** One request that reached the S3 stand-in, with the grants that were active when it arrived. */
interface RecordedS3Request {
  readonly command: string;
  readonly bucket: string;
  readonly key: string;
  readonly body?: unknown;
  readonly activeGrantIds: readonly string[];
}

/** The S3 stand-in and the requests it recorded. */
interface S3StandIn {
  readonly s3: S3Client;
  readonly requests: RecordedS3Request[];
  /** Makes the next PutObject fail with an S3 error, after it has been recorded. */
  failNextPutObject(): void;
}

/** Creates the S3 stand-in. Each request records the active grants of `table`, to check the order of steps. */
function createS3StandIn(table: GrantsTable): S3StandIn {
  const requests: RecordedS3Request[] = [];
  let failPutObject = false;
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'LOCALTESTKEY', secretAccessKey: 'local-test-secret' },
  });
  s3.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as PutObjectCommandInput;
      const active = (await scanGrants(table)).filter((grant) => grant.revokedAt === undefined);
      const command = context.commandName ?? 'unknown';
      requests.push({
        command,
        bucket: input.Bucket ?? '',
        key: input.Key ?? '',
        ...(input.Body === undefined ? {} : { body: input.Body }),
        activeGrantIds: active.map((grant) => grant.grantId),
      });
      if (failPutObject && command === 'PutObjectCommand') {
        failPutObject = false;
        throw new S3ServiceException({
          name: 'InternalError',
          $fault: 'server',
          $metadata: {},
          message: 'simulated S3 failure',
        });
      }
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 's3StandIn' },
  );
  return {
    s3,
    requests,
    failNextPutObject: () => {
      failPutObject = true;
    },
  };
}

interface Harness {
  readonly table: GrantsTable;
  readonly s3: S3StandIn;
  readonly requests: RecordedS3Request[];
  setTime(time: string): void;
  apply(
    event:
      | CloudFormationCustomResourceCreateEvent
      | CloudFormationCustomResourceUpdateEvent
      | CloudFormationCustomResourceDeleteEvent,
  ): Promise<string>;
}

async function newHarness(): Promise<Harness> {
  const table = await tables.newTable();
  const standIn = createS3StandIn(table);
  let now = new Date(CREATED_AT);
  return {
    table,
    s3: standIn,
    requests: standIn.requests,
    setTime: (time) => {
      now = new Date(time);
    },
    apply: (event) => applyCanarySetup(event, { s3: standIn.s3, dynamoDb: table.client, clock: () => now }),
  };
}

function propertiesOf(
  table: GrantsTable,
  overrides: Partial<CanarySetupProperties> = {},
): CanarySetupProperties {
  return {
    GrantsTableName: table.tableName,
    Bucket: BUCKET,
    Key: KEY,
    ReaderRoleArn: READER_ROLE,
    SetupRoleArn: SETUP_ROLE,
    ...overrides,
  };
}

function eventFields(requestId: string, properties: CanarySetupProperties) {
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://127.0.0.1/response-url-not-called',
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: 'CanaryObject',
    ResourceType: 'Custom::PhiGuardCanary',
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
  };
}

function createEvent(
  requestId: string,
  properties: CanarySetupProperties,
): CloudFormationCustomResourceCreateEvent {
  return { RequestType: 'Create', ...eventFields(requestId, properties) };
}

function updateEvent(
  requestId: string,
  properties: CanarySetupProperties,
  previous: CanarySetupProperties,
): CloudFormationCustomResourceUpdateEvent {
  return {
    RequestType: 'Update',
    ...eventFields(requestId, properties),
    PhysicalResourceId: `${previous.Bucket}/${previous.Key}`,
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...previous },
  };
}

function deleteEvent(
  requestId: string,
  properties: CanarySetupProperties,
): CloudFormationCustomResourceDeleteEvent {
  return {
    RequestType: 'Delete',
    ...eventFields(requestId, properties),
    PhysicalResourceId: `${properties.Bucket}/${properties.Key}`,
  };
}

function readGrant(suffix: string, roleArn: string, key = KEY): Grant {
  return canaryGrant(`phi-guard-canary-read-${suffix}`, roleArn, ['read'], key);
}

function setupGrant(suffix: string, roleArn: string, key = KEY): Grant {
  return canaryGrant(`phi-guard-canary-setup-${suffix}`, roleArn, ['write', 'delete'], key);
}

function canaryGrant(grantId: string, roleArn: string, actions: Grant['actions'], key: string): Grant {
  return {
    grantId,
    principal: roleArn,
    principalKey: roleArn,
    bucket: BUCKET,
    prefix: key,
    actions,
    notBefore: NOT_BEFORE,
    expiresAt: '9999-12-31T23:59:59.000Z',
    purpose: 'operations',
    breakGlass: false,
  };
}

/** Sorts grants by grantId, as `scanGrants` returns them. */
function byGrantId(grants: readonly Grant[]): Grant[] {
  return [...grants].sort((a, b) => a.grantId.localeCompare(b.grantId));
}

function revoked(grant: Grant, revokedAt: string, reason: string): Grant {
  return { ...grant, revokedAt, revokedBy: REVOKED_BY, revocationReason: reason };
}

describe('applyCanarySetup', () => {
  it('Create writes grants and object', async () => {
    const harness = await newHarness();

    const physicalId = await harness.apply(createEvent(REQUEST_1, propertiesOf(harness.table)));

    expect(physicalId).toBe(`${BUCKET}/${KEY}`);
    expect(await scanGrants(harness.table)).toEqual([
      readGrant(SUFFIX_1, READER_ROLE),
      setupGrant(SUFFIX_1, SETUP_ROLE),
    ]);
    expect(harness.requests).toEqual([
      {
        command: 'PutObjectCommand',
        bucket: BUCKET,
        key: KEY,
        body: CANARY_OBJECT_CONTENT,
        activeGrantIds: [`phi-guard-canary-read-${SUFFIX_1}`, `phi-guard-canary-setup-${SUFFIX_1}`],
      },
    ]);
  });

  it('same roles are idempotent', async () => {
    const harness = await newHarness();
    const properties = propertiesOf(harness.table);
    await harness.apply(createEvent(REQUEST_1, properties));
    harness.setTime(LATER);

    const retriedCreateId = await harness.apply(createEvent(REQUEST_1, properties));
    const updateId = await harness.apply(updateEvent(REQUEST_2, properties, properties));

    expect(retriedCreateId).toBe(`${BUCKET}/${KEY}`);
    expect(updateId).toBe(`${BUCKET}/${KEY}`);
    expect(await scanGrants(harness.table)).toEqual([
      readGrant(SUFFIX_1, READER_ROLE),
      setupGrant(SUFFIX_1, SETUP_ROLE),
    ]);
    expect(harness.requests.map((request) => request.command)).toEqual([
      'PutObjectCommand',
      'PutObjectCommand',
      'PutObjectCommand',
    ]);
  });

  it('Create retry after PutObject failure', async () => {
    const harness = await newHarness();
    const properties = propertiesOf(harness.table);
    harness.s3.failNextPutObject();

    await expect(harness.apply(createEvent(REQUEST_1, properties))).rejects.toThrow('simulated S3 failure');
    harness.setTime(LATER);
    await harness.apply(createEvent(REQUEST_1, properties));

    expect(await scanGrants(harness.table)).toEqual([
      readGrant(SUFFIX_1, READER_ROLE),
      setupGrant(SUFFIX_1, SETUP_ROLE),
    ]);
  });

  it.each([
    ['reader', { ReaderRoleArn: NEW_READER_ROLE }],
    ['setup', { SetupRoleArn: NEW_SETUP_ROLE }],
  ])('Update with new %s role', async (role, change) => {
    const harness = await newHarness();
    const before = propertiesOf(harness.table);
    const after = propertiesOf(harness.table, change);
    await harness.apply(createEvent(REQUEST_1, before));
    harness.setTime(LATER);

    const physicalId = await harness.apply(updateEvent(REQUEST_2, after, before));

    expect(physicalId).toBe(`${BUCKET}/${KEY}`);
    const laterGrant = (grant: Grant) => ({ ...grant, notBefore: '2025-03-02T08:30:15.000Z' });
    const expected =
      role === 'reader'
        ? [
            revoked(readGrant(SUFFIX_1, READER_ROLE), LATER, UPDATE_REASON),
            laterGrant(readGrant(SUFFIX_2, NEW_READER_ROLE)),
            setupGrant(SUFFIX_1, SETUP_ROLE),
          ]
        : [
            readGrant(SUFFIX_1, READER_ROLE),
            revoked(setupGrant(SUFFIX_1, SETUP_ROLE), LATER, UPDATE_REASON),
            laterGrant(setupGrant(SUFFIX_2, NEW_SETUP_ROLE)),
          ];
    expect(await scanGrants(harness.table)).toEqual(byGrantId(expected));
    // The new grant is active when the object is written, and the old one is revoked only after that.
    expect(harness.requests[1].activeGrantIds).toEqual(byGrantId(expected).map((grant) => grant.grantId));
  });

  it('rollback to old role gets new ids', async () => {
    const harness = await newHarness();
    const before = propertiesOf(harness.table);
    const after = propertiesOf(harness.table, { ReaderRoleArn: NEW_READER_ROLE });
    await harness.apply(createEvent(REQUEST_1, before));
    await harness.apply(updateEvent(REQUEST_2, after, before));

    await harness.apply(updateEvent(REQUEST_3, before, after));

    const grants = await scanGrants(harness.table);
    expect(grants.map((grant) => [grant.grantId, grant.principal, grant.revokedAt !== undefined])).toEqual([
      [`phi-guard-canary-read-${SUFFIX_2}`, NEW_READER_ROLE, true],
      [`phi-guard-canary-read-${SUFFIX_1}`, READER_ROLE, true],
      [`phi-guard-canary-read-${SUFFIX_3}`, READER_ROLE, false],
      [`phi-guard-canary-setup-${SUFFIX_1}`, SETUP_ROLE, false],
    ]);
  });

  it('Delete revokes grants, deletes object', async () => {
    const harness = await newHarness();
    const properties = propertiesOf(harness.table);
    const otherGrant: Grant = {
      ...canaryGrant('reports-read', READER_ROLE, ['read'], 'reports/'),
      purpose: 'treatment',
    };
    await putGrants(harness.table, [otherGrant]);
    await harness.apply(createEvent(REQUEST_1, properties));
    harness.setTime(LATER);

    const physicalId = await harness.apply(deleteEvent(REQUEST_2, properties));

    expect(physicalId).toBe(`${BUCKET}/${KEY}`);
    expect(await scanGrants(harness.table)).toEqual([
      revoked(readGrant(SUFFIX_1, READER_ROLE), LATER, DELETE_REASON),
      revoked(setupGrant(SUFFIX_1, SETUP_ROLE), LATER, DELETE_REASON),
      otherGrant,
    ]);
    expect(harness.requests[1]).toEqual({
      command: 'DeleteObjectCommand',
      bucket: BUCKET,
      key: KEY,
      activeGrantIds: [
        `phi-guard-canary-read-${SUFFIX_1}`,
        `phi-guard-canary-setup-${SUFFIX_1}`,
        'reports-read',
      ],
    });
  });

  it('Delete then Create again writes new ids', async () => {
    const harness = await newHarness();
    const properties = propertiesOf(harness.table);
    await harness.apply(createEvent(REQUEST_1, properties));
    harness.setTime(LATER);
    await harness.apply(deleteEvent(REQUEST_2, properties));
    harness.setTime(CREATED_AT);

    await harness.apply(createEvent(REQUEST_3, properties));

    expect(await scanGrants(harness.table)).toEqual([
      revoked(readGrant(SUFFIX_1, READER_ROLE), LATER, DELETE_REASON),
      readGrant(SUFFIX_3, READER_ROLE),
      revoked(setupGrant(SUFFIX_1, SETUP_ROLE), LATER, DELETE_REASON),
      setupGrant(SUFFIX_3, SETUP_ROLE),
    ]);
  });

  it('Delete with no grants succeeds', async () => {
    const harness = await newHarness();

    const physicalId = await harness.apply(deleteEvent(REQUEST_1, propertiesOf(harness.table)));

    expect(physicalId).toBe(`${BUCKET}/${KEY}`);
    expect(await scanGrants(harness.table)).toEqual([]);
    expect(harness.requests.map((request) => [request.command, request.key])).toEqual([
      ['DeleteObjectCommand', KEY],
    ]);
  });

  it('Delete revokes unsuffixed ids', async () => {
    const harness = await newHarness();
    const legacy = [
      canaryGrant('phi-guard-canary-read', READER_ROLE, ['read'], KEY),
      canaryGrant('phi-guard-canary-setup', SETUP_ROLE, ['write', 'delete'], KEY),
    ];
    await putGrants(harness.table, legacy);

    await harness.apply(deleteEvent(REQUEST_1, propertiesOf(harness.table)));

    expect(await scanGrants(harness.table)).toEqual(
      legacy.map((grant) => revoked(grant, CREATED_AT, DELETE_REASON)),
    );
  });

  it('old Delete after object move', async () => {
    const harness = await newHarness();
    const before = propertiesOf(harness.table);
    const after = propertiesOf(harness.table, { Key: NEW_KEY });
    await harness.apply(createEvent(REQUEST_1, before));
    harness.setTime(LATER);

    const physicalId = await harness.apply(updateEvent(REQUEST_2, after, before));
    await harness.apply(deleteEvent(REQUEST_3, before));

    expect(physicalId).toBe(`${BUCKET}/${NEW_KEY}`);
    const laterGrant = (grant: Grant) => ({ ...grant, notBefore: '2025-03-02T08:30:15.000Z' });
    expect(await scanGrants(harness.table)).toEqual(
      byGrantId([
        revoked(readGrant(SUFFIX_1, READER_ROLE), LATER, UPDATE_REASON),
        laterGrant(readGrant(SUFFIX_2, READER_ROLE, NEW_KEY)),
        revoked(setupGrant(SUFFIX_1, SETUP_ROLE), LATER, UPDATE_REASON),
        laterGrant(setupGrant(SUFFIX_2, SETUP_ROLE, NEW_KEY)),
      ]),
    );
    expect(harness.requests.map((request) => [request.command, request.key])).toEqual([
      ['PutObjectCommand', KEY],
      ['PutObjectCommand', NEW_KEY],
      ['DeleteObjectCommand', KEY],
    ]);
  });

  it('Delete ignores index lag', async () => {
    const harness = await newHarness();
    const properties = propertiesOf(harness.table);
    await harness.apply(createEvent(REQUEST_1, properties));
    const lag = hideFromIndex(harness.table, `phi-guard-canary-read-${SUFFIX_1}`);

    try {
      await harness.apply(deleteEvent(REQUEST_2, properties));
    } finally {
      lag.remove();
    }

    // Each grant is revoked by its primary key, so the grantId index is never queried.
    expect(lag.hidden()).toBe(0);
    expect((await scanGrants(harness.table)).map((grant) => grant.revokedAt)).toEqual([
      CREATED_AT,
      CREATED_AT,
    ]);
  });

  it('missing properties are rejected', async () => {
    const harness = await newHarness();
    const properties = { ...propertiesOf(harness.table), SetupRoleArn: '' };

    await expect(harness.apply(createEvent(REQUEST_4, properties))).rejects.toThrow(
      'Canary custom resource properties SetupRoleArn are missing or empty.',
    );
    expect(await scanGrants(harness.table)).toEqual([]);
    expect(harness.requests).toEqual([]);
  });
});

/**
 * Makes the grantId index return no item for `grantId`, as an index that has not caught up with a new write
 * does. Returns how often it did so and a function that removes the middleware.
 */
function hideFromIndex(table: GrantsTable, grantId: string): { hidden(): number; remove(): void } {
  const name = `hideFromIndex-${grantId}`;
  let hidden = 0;
  table.client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as {
        IndexName?: string;
        ExpressionAttributeValues?: Record<string, { S?: string }>;
      };
      const id = input.ExpressionAttributeValues?.[':id']?.S;
      if (input.IndexName === GRANT_ID_INDEX_NAME && id === grantId) {
        hidden += 1;
        return { output: { Items: [], Count: 0, $metadata: {} }, response: {} };
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { hidden: () => hidden, remove: () => table.client.middlewareStack.remove(name) };
}
