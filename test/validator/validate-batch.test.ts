import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Decision, DecisionType, Grant } from '../../src/domain/types';
import { putGrants, type GrantsTable } from '../../src/grants/grant-repository';
import { createGrantsTable } from '../../src/grants/table-definition';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { GrantCache } from '../../src/validator/grant-cache';
import { validateBatch, type ValidateBatchDependencies } from '../../src/validator/validate-batch';
import {
  ACCOUNT_ID,
  CLINICIAN_ROLE_KEY,
  OTHER_BUCKET,
  PHI_BUCKET,
  assumedRoleIdentity,
  awsServiceIdentity,
  eventBridgeEnvelope,
  iamUserIdentity,
  kinesisEvent,
  kinesisRecord,
  makeGrant,
  managementEvent,
  s3DataEvent,
} from './support/fixtures';
import { RecordingLogger, RecordingPublisher, RecordingTriageStarter } from './support/recording';
import { countRequests } from './support/request-counter';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const NOW = new Date('2025-03-01T10:00:05Z');
const userKey = (name: string): string => `arn:aws:iam::${ACCOUNT_ID}:user/${name}`;

let local: LocalDynamoDb;
let table: GrantsTable;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  table = { client: local.client, tableName: 'grants' };
  await createGrantsTable(local.client, table.tableName);
  await putGrants(
    table,
    CASES.flatMap((testCase) => testCase.grants),
  );
});

afterAll(async () => {
  await local.stop();
});

interface Harness {
  readonly dependencies: ValidateBatchDependencies;
  readonly logger: RecordingLogger;
  readonly publisher: RecordingPublisher;
  readonly triage: RecordingTriageStarter;
}

function harness(client: DynamoDBClient = local.client, tableName = table.tableName): Harness {
  const logger = new RecordingLogger();
  const publisher = new RecordingPublisher();
  const triage = new RecordingTriageStarter();
  const dependencies: ValidateBatchDependencies = {
    dynamoDb: client,
    grantsTableName: tableName,
    grantCache: new GrantCache({ ttlSeconds: 60, clock: () => NOW }),
    monitoredBuckets: new Set([PHI_BUCKET]),
    publisher,
    triageStarter: triage,
    logger,
    clock: () => NOW,
  };
  return { dependencies, logger, publisher, triage };
}

function dataEvent(
  eventId: string,
  userName: string,
  options: Partial<Parameters<typeof s3DataEvent>[0]> = {},
) {
  return kinesisRecord(
    eventBridgeEnvelope(s3DataEvent({ eventId, identity: iamUserIdentity(userName), ...options })),
  );
}

interface DecisionCase {
  readonly name: string;
  readonly grants: Grant[];
  readonly record: Record<string, unknown>;
  readonly decision: DecisionType;
  readonly reason: RegExp;
  readonly triaged: boolean;
}

const CASES: DecisionCase[] = [
  {
    name: 'authorized',
    grants: [makeGrant({ grantId: 'g-auth', principalKey: CLINICIAN_ROLE_KEY })],
    record: s3DataEvent({
      eventId: 'ev-auth',
      identity: assumedRoleIdentity('clinician', 'dana@example.org'),
    }),
    decision: 'authorized',
    reason: /Grant g-auth allows read/,
    triaged: false,
  },
  {
    name: 'violation',
    grants: [],
    record: s3DataEvent({ eventId: 'ev-viol', identity: iamUserIdentity('intruder') }),
    decision: 'violation',
    reason: /No grant exists/,
    triaged: true,
  },
  {
    name: 'expired grant',
    grants: [
      makeGrant({ grantId: 'g-exp', principalKey: userKey('expired'), expiresAt: '2025-02-01T00:00:00Z' }),
    ],
    record: s3DataEvent({ eventId: 'ev-exp', identity: iamUserIdentity('expired') }),
    decision: 'violation',
    reason: /expired at 2025-02-01/,
    triaged: true,
  },
  {
    name: 'grant expired after event',
    grants: [
      makeGrant({ grantId: 'g-late', principalKey: userKey('late'), expiresAt: '2025-03-01T10:00:01Z' }),
    ],
    record: s3DataEvent({ eventId: 'ev-late', identity: iamUserIdentity('late') }),
    decision: 'authorized',
    reason: /Grant g-late/,
    triaged: false,
  },
  {
    name: 'revoked grant',
    grants: [
      makeGrant({
        grantId: 'g-rev',
        principalKey: userKey('revoked'),
        revokedAt: '2025-02-15T00:00:00Z',
        revokedBy: 'security@example.org',
        revocationReason: 'left the team',
      }),
    ],
    record: s3DataEvent({ eventId: 'ev-rev', identity: iamUserIdentity('revoked') }),
    decision: 'violation',
    reason: /revoked at 2025-02-15/,
    triaged: true,
  },
  {
    name: 'break-glass',
    grants: [makeGrant({ grantId: 'g-bg', principalKey: userKey('oncall'), breakGlass: true })],
    record: s3DataEvent({ eventId: 'ev-bg', identity: iamUserIdentity('oncall') }),
    decision: 'break-glass',
    reason: /Break-glass grant g-bg/,
    triaged: true,
  },
  {
    name: 'service principal',
    grants: [],
    record: s3DataEvent({ eventId: 'ev-svc', identity: awsServiceIdentity('s3.amazonaws.com') }),
    decision: 'service',
    reason: /AWS service s3.amazonaws.com/,
    triaged: false,
  },
  {
    name: 'denied attempt',
    grants: [],
    record: s3DataEvent({
      eventId: 'ev-deny',
      identity: iamUserIdentity('prober'),
      errorCode: 'AccessDenied',
    }),
    decision: 'denied',
    reason: /AccessDenied/,
    triaged: false,
  },
  {
    name: 'out-of-scope bucket',
    grants: [],
    record: s3DataEvent({ eventId: 'ev-oos', identity: iamUserIdentity('builder'), bucket: OTHER_BUCKET }),
    decision: 'out-of-scope',
    reason: /not a monitored PHI bucket/,
    triaged: false,
  },
];

describe('validateBatch decisions', () => {
  it.each(CASES)('$name', async (testCase) => {
    const { dependencies, publisher, triage } = harness();
    const result = await validateBatch(
      kinesisEvent([kinesisRecord(eventBridgeEnvelope(testCase.record))]),
      dependencies,
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(result.decisions).toHaveLength(1);
    const [decision] = result.decisions;
    expect(decision.decision).toBe(testCase.decision);
    expect(decision.reason).toMatch(testCase.reason);
    expect(decision.decidedAt).toBe(NOW.toISOString());
    expect(publisher.published).toEqual(result.decisions);
    expect(triage.inputs.map((input) => input.decisions)).toEqual(testCase.triaged ? [[decision]] : []);
  });
});

describe('validateBatch failures', () => {
  it('bad records among good ones', async () => {
    const { dependencies, logger, publisher } = harness();
    const good = dataEvent('ev-good-1', 'intruder');
    const notBase64 = {
      ...kinesisRecord('{}'),
      kinesis: { ...kinesisRecord('{}').kinesis, data: '%%not base64%%' },
    };
    const notJson = kinesisRecord('{"eventVersion": ');
    const notCloudTrail = kinesisRecord({ hello: 'world' });
    const withoutIdentity = s3DataEvent({ eventId: 'ev-broken', identity: {} });
    delete withoutIdentity.userIdentity;
    const missingField = kinesisRecord(eventBridgeEnvelope(withoutIdentity));
    const skipped = kinesisRecord(eventBridgeEnvelope(managementEvent('ev-mgmt')));
    const goodToo = kinesisRecord(
      s3DataEvent({ eventId: 'ev-good-2', identity: assumedRoleIdentity('clinician', 'dana@example.org') }),
    );
    const event = kinesisEvent([good, notBase64, notJson, notCloudTrail, missingField, skipped, goodToo]);

    const result = await validateBatch(event, dependencies);

    const badSequences = [notBase64, notJson, notCloudTrail, missingField].map(
      (record) => record.kinesis.sequenceNumber,
    );
    expect(result.batchItemFailures).toEqual(badSequences.map((itemIdentifier) => ({ itemIdentifier })));
    expect(result.decisions.map((decision) => [decision.eventId, decision.decision])).toEqual([
      ['ev-good-1', 'violation'],
      ['ev-good-2', 'authorized'],
    ]);
    expect(publisher.published).toHaveLength(2);
    expect(result.summary.invalidRecords).toBe(4);
    expect(result.summary.skippedRecords).toBe(1);

    const invalidLogs = logger.withMessage('Invalid record');
    expect(invalidLogs.map((line) => line.sequenceNumber)).toEqual(badSequences);
    expect(invalidLogs[0].reason).toMatch(/not valid base64/);
    expect(invalidLogs[1].reason).toMatch(/not valid JSON/);
    expect(invalidLogs[3].reason).toMatch(/userIdentity/);
    expect(logger.withMessage('Skipped record')[0]).toMatchObject({ skipReason: 'management-event' });
  });

  it('object keys only in violation logs', async () => {
    const { dependencies, logger } = harness();
    const objectKey = 'patients/0042/discharge-summary.pdf';
    const event = kinesisEvent([
      dataEvent('ev-key-1', 'intruder', { key: objectKey }),
      kinesisRecord(
        s3DataEvent({
          eventId: 'ev-key-2',
          identity: assumedRoleIdentity('clinician', 'dana@example.org'),
          key: objectKey,
        }),
      ),
    ]);
    await validateBatch(event, dependencies);

    const linesWithKey = logger.lines.filter((line) => JSON.stringify(line).includes(objectKey));
    expect(linesWithKey.map((line) => line.message)).toEqual(['Violation']);
    expect(logger.lines.some((line) => JSON.stringify(line).includes('AKIAEXAMPLEKEYID0001'))).toBe(false);
    // Per-record keys are removed after each record, so the next log line carries none.
    expect(logger.lines.at(-1)?.sequenceNumber).toBe(event.Records[1].kinesis.sequenceNumber);
    logger.info('after the batch');
    expect(logger.lines.at(-1)?.sequenceNumber).toBeUndefined();
  });

  it.each([
    ['listed', new Set([CLINICIAN_ROLE_KEY]), 'INFO'],
    ['not listed', new Set<string>(), 'DEBUG'],
  ])('decision of %s principal logged', async (_name, loggedPrincipalKeys, level) => {
    const { dependencies, logger } = harness();
    const event = kinesisEvent([
      kinesisRecord(
        s3DataEvent({ eventId: 'ev-canary-1', identity: assumedRoleIdentity('clinician', 'canary-read') }),
      ),
    ]);
    await validateBatch(event, { ...dependencies, loggedPrincipalKeys });

    const [line] = logger.withMessage('Decision');
    expect(line.level).toBe(level);
    expect(line.decision).toBe('authorized');
    expect(line.principalKey).toBe(CLINICIAN_ROLE_KEY);
  });

  it('publish failure fails that principal', async () => {
    const { dependencies, publisher } = harness();
    publisher.failPrincipalKeys.add(userKey('intruder'));
    const violating = dataEvent('ev-pub-1', 'intruder');
    const authorized = kinesisRecord(
      s3DataEvent({ eventId: 'ev-pub-2', identity: assumedRoleIdentity('clinician', 'dana@example.org') }),
    );
    const result = await validateBatch(kinesisEvent([violating, authorized]), dependencies);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: violating.kinesis.sequenceNumber }]);
    expect(result.summary.publishFailures).toBe(1);
  });

  it('triage failure fails that principal', async () => {
    const { dependencies, triage } = harness();
    triage.failPrincipalKeys.add(userKey('intruder'));
    const failing = [
      dataEvent('ev-tri-1', 'intruder'),
      dataEvent('ev-tri-2', 'intruder', { key: 'patients/2' }),
    ];
    const started = dataEvent('ev-tri-3', 'expired');
    const result = await validateBatch(kinesisEvent([...failing, started]), dependencies);

    expect(result.batchItemFailures).toEqual(
      failing.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })),
    );
    expect(result.summary.triageStarts).toBe(1);
    expect(result.summary.triageFailures).toBe(1);
  });
});

describe('validateBatch grant lookups', () => {
  it('one query per principal, none cached', async () => {
    const { dependencies } = harness();
    const counter = countRequests(local.client);
    try {
      const records = () => [
        ...['a', 'b', 'c', 'd'].map((suffix) =>
          dataEvent(`ev-late-${suffix}`, 'late', { key: `patients/${suffix}` }),
        ),
        ...['a', 'b', 'c'].map((suffix) =>
          kinesisRecord(
            s3DataEvent({
              eventId: `ev-cl-${suffix}`,
              identity: assumedRoleIdentity('clinician', `s-${suffix}`),
            }),
          ),
        ),
        ...['a', 'b', 'c'].map((suffix) =>
          dataEvent(`ev-bg-${suffix}`, 'oncall', { key: `patients/${suffix}` }),
        ),
      ];

      const first = await validateBatch(kinesisEvent(records()), dependencies);
      expect(counter.count('QueryCommand')).toBe(3);
      expect(first.summary.grantLookups).toBe(3);
      expect(first.decisions.every((decision) => decision.decision !== 'violation')).toBe(true);

      counter.reset();
      const second = await validateBatch(kinesisEvent(records()), dependencies);
      expect(counter.count('QueryCommand')).toBe(0);
      expect(second.summary.grantCacheHits).toBe(3);
      expect(second.decisions).toHaveLength(10);
    } finally {
      counter.remove();
    }
  });

  it('no lookup without a grant question', async () => {
    const { dependencies } = harness();
    const counter = countRequests(local.client);
    try {
      const event = kinesisEvent([
        kinesisRecord(s3DataEvent({ eventId: 'ev-nq-1', identity: awsServiceIdentity('s3.amazonaws.com') })),
        dataEvent('ev-nq-2', 'prober', { errorCode: 'AccessDenied' }),
        dataEvent('ev-nq-3', 'builder', { bucket: OTHER_BUCKET }),
      ]);
      const result = await validateBatch(event, dependencies);
      expect(counter.count('QueryCommand')).toBe(0);
      expect(result.decisions.map((decision) => decision.decision)).toEqual([
        'service',
        'denied',
        'out-of-scope',
      ]);
    } finally {
      counter.remove();
    }
  });

  it('violation confirmed with consistent read', async () => {
    const { dependencies } = harness();
    const counter = countRequests(local.client);
    try {
      const result = await validateBatch(
        kinesisEvent([
          dataEvent('ev-cv-1', 'intruder'),
          dataEvent('ev-cv-2', 'intruder', { key: 'patients/9' }),
        ]),
        dependencies,
      );
      // One eventually consistent prefetch and one consistent re-read for the violating principal.
      expect(counter.count('QueryCommand')).toBe(2);
      expect(result.decisions.map((decision) => decision.decision)).toEqual(['violation', 'violation']);
    } finally {
      counter.remove();
    }
  });

  it('new grant beats cached empty result', async () => {
    const { dependencies } = harness();
    const newcomer = userKey('newcomer');
    const first = await validateBatch(kinesisEvent([dataEvent('ev-new-1', 'newcomer')]), dependencies);
    expect(first.decisions[0].decision).toBe('violation');
    expect(dependencies.grantCache.get(newcomer)).toEqual([]);

    await putGrants(table, [makeGrant({ grantId: 'g-newcomer', principalKey: newcomer })]);
    const counter = countRequests(local.client);
    try {
      const second = await validateBatch(kinesisEvent([dataEvent('ev-new-2', 'newcomer')]), dependencies);
      expect(second.decisions[0]).toMatchObject({ decision: 'authorized', grantId: 'g-newcomer' });
      expect(counter.count('QueryCommand')).toBe(1);
    } finally {
      counter.remove();
    }
  });
});

describe('validateBatch with DynamoDB stopped', () => {
  it('unresolved principals fail, never decided', async () => {
    const stoppable = await startLocalDynamoDb();
    await createGrantsTable(stoppable.client, 'grants');
    await putGrants({ client: stoppable.client, tableName: 'grants' }, [
      makeGrant({ grantId: 'g-auth', principalKey: CLINICIAN_ROLE_KEY }),
    ]);
    const { dependencies, publisher, triage } = harness(stoppable.client, 'grants');
    const clinician = () =>
      kinesisRecord(
        s3DataEvent({
          eventId: `ev-st-${Math.random()}`,
          identity: assumedRoleIdentity('clinician', 'dana'),
        }),
      );

    const warmUp = await validateBatch(
      kinesisEvent([clinician(), dataEvent('ev-st-v0', 'intruder')]),
      dependencies,
    );
    expect(warmUp.batchItemFailures).toEqual([]);
    await stoppable.stop();

    const cachedViolator = dataEvent('ev-st-v1', 'intruder');
    const uncached = dataEvent('ev-st-u1', 'late');
    const cachedAuthorized = clinician();
    const result = await validateBatch(
      kinesisEvent([cachedViolator, uncached, cachedAuthorized]),
      dependencies,
    );

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: cachedViolator.kinesis.sequenceNumber },
      { itemIdentifier: uncached.kinesis.sequenceNumber },
    ]);
    expect(result.decisions.map((decision) => decision.decision)).toEqual(['authorized']);
    expect(result.summary.lookupFailures).toBe(2);
    expect(publisher.batches.at(-1)?.map((decision) => decision.decision)).toEqual(['authorized']);
    expect(triage.calls).toHaveLength(1);
  });

  it('server stops after first queries', async () => {
    const stoppable = await startLocalDynamoDb();
    await createGrantsTable(stoppable.client, 'grants');
    const keys = ['u1', 'u2', 'u3', 'u4'];
    await putGrants(
      { client: stoppable.client, tableName: 'grants' },
      keys.map((name) => makeGrant({ grantId: `g-${name}`, principalKey: userKey(name) })),
    );
    let queries = 0;
    stoppable.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') {
          queries += 1;
          if (queries === 3) {
            await stoppable.stop();
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'stopAfterTwoQueries' },
    );
    // One lookup at a time, so that exactly two principals resolve before the server stops.
    const { dependencies } = harness(stoppable.client, 'grants');
    const records = keys.map((name) => dataEvent(`ev-half-${name}`, name));
    const result = await validateBatch(kinesisEvent(records), { ...dependencies, grantLookupConcurrency: 1 });

    const decided = new Set(result.decisions.map((decision: Decision) => decision.principalKey));
    const failed = new Set(result.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const [index, record] of records.entries()) {
      const principalKey = userKey(keys[index]);
      // Every record is either decided as authorized or reported as a failure, never both and never neither.
      expect(decided.has(principalKey)).toBe(!failed.has(record.kinesis.sequenceNumber));
    }
    expect(result.decisions.map((decision: Decision) => [decision.principalKey, decision.decision])).toEqual([
      [userKey('u1'), 'authorized'],
      [userKey('u2'), 'authorized'],
    ]);
    expect([...failed]).toEqual([records[2].kinesis.sequenceNumber, records[3].kinesis.sequenceNumber]);
  });
});

describe('validateBatch triage', () => {
  it('one input per principal', async () => {
    const { dependencies, triage } = harness();
    const intruderViolations = Array.from({ length: 6 }, (_, index) =>
      dataEvent(`ev-grp-i${index}`, 'intruder', { key: `patients/${index}/chart.pdf` }),
    );
    const intruderDenied = Array.from({ length: 2 }, (_, index) =>
      dataEvent(`ev-grp-d${index}`, 'intruder', { key: `patients/${index}/x`, errorCode: 'AccessDenied' }),
    );
    const expiredViolations = Array.from({ length: 4 }, (_, index) =>
      dataEvent(`ev-grp-e${index}`, 'expired', { key: `patients/${index}/labs.csv` }),
    );
    const proberDenied = dataEvent('ev-grp-p', 'prober', { errorCode: 'AccessDenied' });
    const authorized = dataEvent('ev-grp-a', 'late');
    const event = kinesisEvent([
      ...intruderViolations,
      ...expiredViolations,
      ...intruderDenied,
      proberDenied,
      authorized,
    ]);

    const result = await validateBatch(event, dependencies);

    expect(result.batchItemFailures).toEqual([]);
    expect(triage.calls).toHaveLength(1);
    const byPrincipal = new Map(triage.inputs.map((input) => [input.principal.key, input.decisions]));
    expect([...byPrincipal.keys()].sort()).toEqual([userKey('expired'), userKey('intruder')]);
    expect(byPrincipal.get(userKey('intruder'))?.map((decision) => decision.decision)).toEqual([
      ...Array<DecisionType>(6).fill('violation'),
      'denied',
      'denied',
    ]);
    expect(byPrincipal.get(userKey('expired'))).toHaveLength(4);
    expect(triage.inputs[0].principal).toMatchObject({ type: 'IAMUser' });
    expect(result.summary.triageStarts).toBe(2);
  });
});

describe('validateBatch log files', () => {
  it('invalid inner record fails its Kinesis record', async () => {
    const { dependencies } = harness();
    const logFile = {
      Records: [
        s3DataEvent({ eventId: 'ev-log-1', identity: assumedRoleIdentity('clinician', 'dana@example.org') }),
        {
          eventVersion: '1.10',
          eventName: 'GetObject',
          eventSource: 's3.amazonaws.com',
          eventID: 'ev-log-2',
        },
      ],
    };
    const record = kinesisRecord(logFile);
    const result = await validateBatch(kinesisEvent([record]), dependencies);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.kinesis.sequenceNumber }]);
    expect(result.decisions.map((decision) => decision.eventId)).toEqual(['ev-log-1']);
    expect(result.summary.invalidRecords).toBe(1);
  });

  it('empty log file is invalid', async () => {
    const { dependencies } = harness();
    const record = kinesisRecord({ Records: [] });
    const result = await validateBatch(kinesisEvent([record]), dependencies);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.kinesis.sequenceNumber }]);
  });
});

describe('validateBatch without ports', () => {
  it('empty batch returns nothing', async () => {
    const { dependencies } = harness();
    const result = await validateBatch(kinesisEvent([]), dependencies);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.decisions).toEqual([]);
    expect(result.summary.recordsReceived).toBe(0);
  });

  it('missing triage starter warns', async () => {
    const { dependencies, logger } = harness();
    const withoutPorts = { ...dependencies, publisher: undefined, triageStarter: undefined };
    const result = await validateBatch(kinesisEvent([dataEvent('ev-np-1', 'intruder')]), withoutPorts);

    expect(result.batchItemFailures).toEqual([]);
    expect(result.decisions.map((decision) => decision.decision)).toEqual(['violation']);
    const warning = logger.withMessage(
      'No triage starter is configured; these principals are not triaged',
    )[0];
    expect(warning.principalKeys).toEqual([userKey('intruder')]);
  });
});
