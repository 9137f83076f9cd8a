import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Principal } from '../../src/domain/types';
import { applyContainment, removeContainment } from '../../src/response/containment/iam-containment';
import { planContainment } from '../../src/response/containment/strategy';
import type { Incident } from '../../src/response/types';
import { type FakeAws, startFakeAws } from './containment-fake-aws';
import { PRINCIPALS, SETTINGS, incidentFor } from './containment-fixtures';

const NOW = new Date('2025-03-01T10:30:00.000Z');
const LATER = new Date('2025-03-01T11:45:00.000Z');
const EXISTING_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::phi-records-example', 'arn:aws:s3:::phi-records-example/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

let fake: FakeAws;
let clients: { iam: IAMClient; s3: S3Client };

beforeEach(async () => {
  fake = await startFakeAws();
  clients = fake.createClients();
});

afterEach(async () => {
  clients.iam.destroy();
  clients.s3.destroy();
  await fake.stop();
});

function contain(incident: Incident, now = NOW) {
  return applyContainment(clients, planContainment(incident, SETTINGS, now));
}

function sidsOf(bucket: string): string[] {
  const policy = fake.bucketPolicies.get(bucket);
  return policy === undefined
    ? []
    : (JSON.parse(policy) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
}

function actions(): string[] {
  return fake.requests.map((request) => `${request.action} ${request.target}`);
}

describe('applyContainment inline policies', () => {
  it.each<[string, Principal, string, string]>([
    ['IAM user', PRINCIPALS.iamUser, 'user/dana', 'User'],
    ['role session', PRINCIPALS.roleSession, 'role/ClaimsAnalyst', 'Role'],
  ])('apply twice for %s', async (_name, principal, entity, kind) => {
    const incident = incidentFor(principal, 'violation', 'inc-20250301T101500Z-aaaa');

    const first = await contain(incident);
    const second = await contain(incident, LATER);

    expect(first.status).toBe('contained');
    expect(second.status).toBe('already-contained');
    expect([...(fake.inlinePolicies.get(entity)?.keys() ?? [])]).toEqual([
      'phi-guard-deny-inc-20250301T101500Z-aaaa',
    ]);
    expect(second.policyDocument).toBe(first.policyDocument);
    expect(JSON.parse(fake.inlinePolicies.get(entity)!.get(first.policyName!)!)).toEqual(
      JSON.parse(first.policyDocument!),
    );
    const name = entity.split('/')[1];
    expect(actions()).toEqual([
      `Get${kind}Policy ${name}`,
      `Put${kind}Policy ${name}`,
      `Get${kind}Policy ${name}`,
    ]);
  });

  it('user policy denies PHI buckets', async () => {
    const result = await contain(incidentFor(PRINCIPALS.iamUser));
    const document = JSON.parse(fake.inlinePolicies.get('user/dana')!.get(result.policyName!)!);

    expect(document.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Resource: [
          'arn:aws:s3:::phi-records-example',
          'arn:aws:s3:::phi-records-example/*',
          'arn:aws:s3:::phi-imaging-example',
          'arn:aws:s3:::phi-imaging-example/*',
        ],
      }),
    ]);
    expect(result.detail).toBe(
      `Added the inline policy ${result.policyName} on user dana, which denies the user every S3 action on the PHI buckets.`,
    );
  });
});

describe('applyContainment bucket policies', () => {
  it('merges with existing and missing policies', async () => {
    fake.bucketPolicies.set('phi-records-example', JSON.stringify(EXISTING_POLICY));
    const incident = incidentFor(PRINCIPALS.identityCenterSession, 'violation', 'inc-ic-1');

    const result = await contain(incident);

    expect(result).toMatchObject({
      status: 'contained',
      strategy: 'bucket-policy-deny',
      target: 'phi-records-example,phi-imaging-example',
    });
    expect(sidsOf('phi-records-example')).toEqual(['DenyInsecureTransport', result.policyName]);
    expect(sidsOf('phi-imaging-example')).toEqual([result.policyName]);
  });

  it('apply twice adds once', async () => {
    const incident = incidentFor(PRINCIPALS.crossAccountSession);

    await contain(incident);
    const putsAfterFirst = actions().filter((action) => action.startsWith('PutBucketPolicy')).length;
    const second = await contain(incident);

    expect(second.status).toBe('already-contained');
    expect(actions().filter((action) => action.startsWith('PutBucketPolicy')).length).toBe(putsAfterFirst);
    expect(sidsOf('phi-records-example')).toEqual([second.policyName]);
  });

  it('keeps single-object Statement', async () => {
    fake.bucketPolicies.set(
      'phi-imaging-example',
      JSON.stringify({ ...EXISTING_POLICY, Statement: EXISTING_POLICY.Statement[0] }),
    );

    const result = await contain(incidentFor(PRINCIPALS.federatedUser));

    expect(sidsOf('phi-imaging-example')).toEqual(['DenyInsecureTransport', result.policyName]);
  });
});

describe('removeContainment', () => {
  it('removes only that incident', async () => {
    fake.bucketPolicies.set('phi-records-example', JSON.stringify(EXISTING_POLICY));
    const first = await contain(incidentFor(PRINCIPALS.identityCenterSession, 'violation', 'inc-ic-2'));
    const second = await contain(incidentFor(PRINCIPALS.crossAccountUser, 'violation', 'inc-partner-2'));

    const outcome = await removeContainment(clients, first);

    expect(outcome.changed).toBe(true);
    expect(outcome.detail).toBe(
      `Removed statement ${first.policyName} from the bucket policy of phi-records-example, phi-imaging-example.`,
    );
    expect(sidsOf('phi-records-example')).toEqual(['DenyInsecureTransport', second.policyName]);
    expect(sidsOf('phi-imaging-example')).toEqual([second.policyName]);
  });

  it('deletes emptied bucket policy', async () => {
    const result = await contain(incidentFor(PRINCIPALS.crossAccountUser));

    await removeContainment(clients, result);

    expect(fake.bucketPolicies.has('phi-records-example')).toBe(false);
    expect(actions()).toContain('DeleteBucketPolicy phi-imaging-example');
  });

  it('removes inline policy once', async () => {
    const result = await contain(incidentFor(PRINCIPALS.roleSession));
    fake.inlinePolicies
      .get('role/ClaimsAnalyst')!
      .set('other-policy', '{"Version":"2012-10-17","Statement":[]}');

    const first = await removeContainment(clients, result);
    const second = await removeContainment(clients, result);

    expect(first).toEqual({
      changed: true,
      detail: `Removed inline policy ${result.policyName} from role ClaimsAnalyst.`,
    });
    expect(second.changed).toBe(false);
    expect([...fake.inlinePolicies.get('role/ClaimsAnalyst')!.keys()]).toEqual(['other-policy']);
  });

  it('rejects result without policy', async () => {
    await expect(
      removeContainment(clients, { status: 'alert-only', strategy: 'none', detail: 'Root user.' }),
    ).rejects.toThrow('Containment with strategy "none" names no policy to remove.');
    expect(fake.requests).toEqual([]);
  });
});
