import { decideAccess, type DecisionContext } from '../../src/domain/classify';
import { normalizeIdentity } from '../../src/domain/identity';
import type { Grant, ObjectAccess, Principal } from '../../src/domain/types';

const owner = '111122223333';
const roleKey = `arn:aws:iam::${owner}:role/export-role`;

function sessionOf(sessionName: string): Principal {
  return normalizeIdentity(
    {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${owner}:assumed-role/export-role/${sessionName}`,
      accountId: owner,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${owner}:role/export-role` } },
    },
    owner,
  );
}

function accessOf(overrides: Partial<ObjectAccess> = {}): ObjectAccess {
  return {
    eventId: 'e-1',
    index: 0,
    eventTime: '2025-03-04T12:00:00Z',
    eventName: 'GetObject',
    principal: sessionOf('batch-7'),
    action: 'read',
    bucket: 'example-phi-records',
    key: 'patients/p-1/visit.json',
    sourceIp: '198.51.100.24',
    ...overrides,
  };
}

function grantOf(overrides: Partial<Grant> = {}): Grant {
  return {
    grantId: 'g-read',
    principal: `arn:aws:iam::${owner}:role/export-role`,
    principalKey: roleKey,
    bucket: 'example-phi-records',
    prefix: 'patients/',
    actions: ['read'],
    notBefore: '2025-03-01T00:00:00Z',
    expiresAt: '2025-04-01T00:00:00Z',
    purpose: 'treatment',
    breakGlass: false,
    ...overrides,
  };
}

// Processing happens long after every grant window, so a decision that used it would be a violation.
const context: DecisionContext = {
  decidedAt: '2026-01-01T00:00:00Z',
  monitoredBuckets: new Set(['example-phi-records']),
};

describe('decideAccess order', () => {
  it('unmonitored bucket is out of scope', () => {
    const decision = decideAccess(accessOf({ bucket: 'example-logs' }), [grantOf()], context);

    expect(decision.decision).toBe('out-of-scope');
    expect(decision.reason).toBe('Bucket example-logs is not a monitored PHI bucket.');
  });

  it('out of scope before service', () => {
    const principal = normalizeIdentity({ type: 'AWSService', invokedBy: 'backup.amazonaws.com' });
    expect(decideAccess(accessOf({ principal, bucket: 'example-logs' }), [], context).decision).toBe(
      'out-of-scope',
    );
  });

  it('no monitored set covers every bucket', () => {
    const decision = decideAccess(accessOf({ bucket: 'example-logs' }), [], { decidedAt: context.decidedAt });
    expect(decision.decision).toBe('violation');
  });

  it.each([
    [
      'AWS service',
      normalizeIdentity({ type: 'AWSService', invokedBy: 'backup.amazonaws.com' }),
      'AWS service backup.amazonaws.com',
    ],
    [
      'service-linked role',
      normalizeIdentity({
        type: 'AssumedRole',
        arn: `arn:aws:sts::${owner}:assumed-role/AWSServiceRoleForAmazonMacie/s`,
        sessionContext: {
          sessionIssuer: {
            arn: `arn:aws:iam::${owner}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
          },
        },
      }),
      'service-linked role',
    ],
  ])('%s is service', (_name, principal, reason) => {
    const decision = decideAccess(accessOf({ principal, errorCode: 'AccessDenied' }), [], context);

    expect(decision.decision).toBe('service');
    expect(decision.reason).toContain(reason);
  });

  it.each([
    'AccessDenied',
    'AllAccessDisabled',
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'VpceAccessDenied',
  ])('%s is denied', (errorCode) => {
    const decision = decideAccess(accessOf({ errorCode, bucket: 'example-phi-records' }), [], context);

    expect(decision.decision).toBe('denied');
    expect(decision.errorCode).toBe(errorCode);
    expect(decision.reason).toBe(
      `S3 rejected the request with ${errorCode}, so no object was read or changed.`,
    );
  });

  it('other error codes meet the grants', () => {
    expect(decideAccess(accessOf({ errorCode: 'NoSuchKey' }), [], context).decision).toBe('violation');
    expect(decideAccess(accessOf({ errorCode: 'NoSuchKey' }), [grantOf()], context).decision).toBe(
      'authorized',
    );
  });
});

describe('decideAccess grants', () => {
  it('authorized decision names the grant', () => {
    const decision = decideAccess(accessOf(), [grantOf()], context);

    expect(decision).toEqual({
      decisionId: 'e-1#0',
      eventId: 'e-1',
      eventTime: '2025-03-04T12:00:00Z',
      decidedAt: '2026-01-01T00:00:00Z',
      principal: `arn:aws:sts::${owner}:assumed-role/export-role/batch-7`,
      principalKey: roleKey,
      identityType: 'AssumedRole',
      accountId: owner,
      eventName: 'GetObject',
      action: 'read',
      bucket: 'example-phi-records',
      key: 'patients/p-1/visit.json',
      keyPrefix: 'example-phi-records/patients/p-1/',
      decision: 'authorized',
      reason: 'Grant g-read allows read on prefix "patients/" in bucket example-phi-records for treatment.',
      grantId: 'g-read',
      purpose: 'treatment',
      sourceIp: '198.51.100.24',
    });
  });

  it('break-glass grant alone is break-glass', () => {
    const decision = decideAccess(
      accessOf(),
      [grantOf({ grantId: 'g-bg', breakGlass: true, prefix: '*' })],
      context,
    );

    expect(decision.decision).toBe('break-glass');
    expect(decision.grantId).toBe('g-bg');
    expect(decision.reason).toBe(
      'Break-glass grant g-bg allows read on all of bucket example-phi-records; every access under it is reviewed.',
    );
  });

  it('normal grant wins over break-glass', () => {
    const grants = [grantOf({ grantId: 'a-bg', breakGlass: true }), grantOf({ grantId: 'z-normal' })];

    const decision = decideAccess(accessOf(), grants, context);

    expect(decision.decision).toBe('authorized');
    expect(decision.grantId).toBe('z-normal');
  });

  it('ignores grants of other principals', () => {
    const other = grantOf({ principalKey: `arn:aws:iam::${owner}:role/other-role` });

    const decision = decideAccess(accessOf(), [other], context);

    expect(decision.decision).toBe('violation');
    expect(decision.reason).toBe(`No grant exists for principal ${roleKey}.`);
  });

  it.each([
    [
      'other bucket',
      [grantOf({ bucket: 'example-phi-archive' })],
      {},
      `Grants exist for ${roleKey}, but none for bucket example-phi-records.`,
    ],
    [
      'other prefix',
      [grantOf({ prefix: 'billing/' })],
      {},
      `Grants for ${roleKey} cover bucket example-phi-records, but none covers the object key.`,
    ],
    [
      'other action',
      [grantOf({ actions: ['list'] })],
      {},
      `Grants for ${roleKey} cover the object key in bucket example-phi-records, but none allows read.`,
    ],
    [
      'other session',
      [grantOf({ sessionName: 'batch-8' })],
      {},
      'Grant g-read covers session batch-8, not session batch-7.',
    ],
    [
      'expired grant',
      [grantOf({ expiresAt: '2025-03-04T11:59:59Z' })],
      {},
      'Grant g-read expired at 2025-03-04T11:59:59Z, before the event at 2025-03-04T12:00:00Z.',
    ],
    [
      'revoked grant',
      [grantOf({ revokedAt: '2025-03-03T00:00:00Z', revokedBy: 'lead@example.org' })],
      {},
      'Grant g-read was revoked at 2025-03-03T00:00:00Z, before the event at 2025-03-04T12:00:00Z.',
    ],
    [
      'future grant',
      [grantOf({ notBefore: '2025-03-05T00:00:00Z' })],
      {},
      'Grant g-read is not valid until 2025-03-05T00:00:00Z; the event was at 2025-03-04T12:00:00Z.',
    ],
    [
      'closest of several grants',
      [
        grantOf({ grantId: 'g-a', bucket: 'example-phi-archive' }),
        grantOf({ grantId: 'g-b', expiresAt: '2025-03-02T00:00:00Z' }),
        grantOf({ grantId: 'g-c', prefix: 'billing/' }),
      ],
      {},
      'Grant g-b expired at 2025-03-02T00:00:00Z',
    ],
    [
      'listed prefix above the grant',
      [grantOf({ prefix: 'patients/p-1/', actions: ['list'] })],
      { action: 'list' as const, key: 'patients/' },
      'none covers the listed prefix.',
    ],
  ])('%s is a violation', (_name, grants, overrides, reason) => {
    const decision = decideAccess(accessOf(overrides), grants, context);

    expect(decision.decision).toBe('violation');
    expect(decision.grantId).toBeUndefined();
    expect(decision.reason).toContain(reason);
  });

  it.each([
    ['matching session', grantOf({ sessionName: 'batch-7' }), {}],
    ['the first instant', grantOf({ notBefore: '2025-03-04T12:00:00Z' }), {}],
    ['a window that closed after the event', grantOf({ expiresAt: '2025-03-04T12:00:01Z' }), {}],
    ['a revocation after the event', grantOf({ revokedAt: '2025-03-04T12:00:00.001Z' }), {}],
    [
      'a listed prefix below the grant',
      grantOf({ actions: ['list'] }),
      { action: 'list' as const, key: 'patients/p-1/' },
    ],
    [
      'the whole bucket listed under *',
      grantOf({ prefix: '*', actions: ['list'] }),
      { action: 'list' as const, key: '' },
    ],
  ])('%s is authorized', (_name, grant, overrides) => {
    expect(decideAccess(accessOf(overrides), [grant], context).decision).toBe('authorized');
  });

  it.each([
    ['expiresAt', grantOf({ expiresAt: '2025-03-04T12:00:00Z' })],
    ['revokedAt', grantOf({ revokedAt: '2025-03-04T12:00:00Z' })],
  ])('event at %s is a violation', (_name, grant) => {
    expect(decideAccess(accessOf(), [grant], context).decision).toBe('violation');
  });

  it.each([
    [
      'root user',
      normalizeIdentity({ type: 'Root', accountId: owner }),
      `No grant can cover the root user of account ${owner}`,
    ],
    [
      'anonymous request',
      normalizeIdentity({ type: 'AWSAccount', accountId: 'anonymous' }),
      'No grant can cover an anonymous (unsigned) request',
    ],
    [
      'unresolved identity',
      normalizeIdentity({ type: 'Unknown', principalId: 'X' }),
      'No grant can cover unresolved:Unknown:X',
    ],
  ])('%s is always a violation', (_name, principal, reason) => {
    const decision = decideAccess(
      accessOf({ principal }),
      [grantOf({ principalKey: principal.key })],
      context,
    );

    expect(decision.decision).toBe('violation');
    expect(decision.reason).toContain(reason);
  });
});
