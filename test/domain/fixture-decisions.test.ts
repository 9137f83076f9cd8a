import { extractRecords } from '../../src/domain/cloudtrail-input';
import { decideAccess } from '../../src/domain/classify';
import { parseRecord } from '../../src/domain/parse';
import type { DecisionType, IdentityType, ObjectAccess } from '../../src/domain/types';
import { loadFixture, loadFixtureGrants } from './fixture-loader';

const grants = loadFixtureGrants();
const context = {
  decidedAt: '2025-03-06T09:00:00Z',
  monitoredBuckets: new Set(['example-phi-records', 'example-phi-archive']),
};

interface ExpectedAccess {
  readonly action: ObjectAccess['action'];
  readonly bucket: string;
  readonly key: string;
  readonly decision: DecisionType;
  readonly grantId?: string;
  /** A fragment of the decision reason. */
  readonly reason?: string;
}

interface FixtureCase {
  readonly file: string;
  readonly identityType: IdentityType;
  readonly principalKey: string;
  readonly accesses: readonly ExpectedAccess[];
}

const records = 'example-phi-records';
const archive = 'example-phi-archive';

const cases: readonly FixtureCase[] = [
  {
    file: 'getobject-iamuser.json',
    identityType: 'IAMUser',
    principalKey: 'arn:aws:iam::111122223333:user/dana.analyst',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1001/visit-2025-01-14.json',
        decision: 'authorized',
        grantId: 'g-dana-records-read',
      },
    ],
  },
  {
    file: 'headobject-assumedrole-source-identity.json',
    identityType: 'AssumedRole',
    principalKey: 'arn:aws:iam::111122223333:role/ehr-export-role',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1002/labs/2025-02-20.pdf',
        decision: 'authorized',
        grantId: 'g-ehr-export-records',
      },
    ],
  },
  {
    file: 'putobject-identity-center-session.json',
    identityType: 'AssumedRole',
    principalKey: 'arn:aws:iam::111122223333:role/AWSReservedSSO_ClinicalDataAccess_0f1e2d3c4b5a6978',
    accesses: [
      {
        action: 'write',
        bucket: records,
        key: 'patients/p-1003/notes/2025-03-04.txt',
        decision: 'authorized',
        grantId: 'g-sso-nurse-notes',
      },
    ],
  },
  {
    file: 'getobject-identity-center-user.json',
    identityType: 'IdentityCenterUser',
    principalKey: 'arn:aws:identitystore:::user/91a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1004/imaging/ct-2025-02-02.dcm',
        decision: 'violation',
        reason:
          'Grant g-idc-radiologist expired at 2025-03-04T15:00:00Z, before the event at 2025-03-04T15:30:00Z.',
      },
    ],
  },
  {
    file: 'getobject-federated-user.json',
    identityType: 'FederatedUser',
    principalKey: 'arn:aws:sts::111122223333:federated-user/billing-portal',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'billing/2025/02/invoice-p-1005.pdf',
        decision: 'authorized',
        grantId: 'g-billing-portal',
      },
    ],
  },
  {
    file: 'getobject-cross-account.json',
    identityType: 'AWSAccount',
    principalKey: '444455556666',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'exports/partner/2025-03-04/claims.csv.gz',
        decision: 'violation',
        reason:
          'Grant g-partner-claims was revoked at 2025-03-04T16:00:00Z, before the event at 2025-03-04T16:20:45Z.',
      },
    ],
  },
  {
    file: 'getobject-anonymous.json',
    identityType: 'Anonymous',
    principalKey: 'anonymous',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1007/discharge-summary.pdf',
        decision: 'violation',
        reason: 'anonymous',
      },
    ],
  },
  {
    file: 'getobject-aws-service.json',
    identityType: 'AWSService',
    principalKey: 'backup.amazonaws.com',
    accesses: [
      { action: 'read', bucket: records, key: 'patients/p-1008/visit-2024-12-01.json', decision: 'service' },
    ],
  },
  {
    file: 'getobject-service-linked-role.json',
    identityType: 'AssumedRole',
    principalKey: 'arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonMacie',
    accesses: [
      { action: 'read', bucket: records, key: 'patients/p-1009/intake-form.pdf', decision: 'service' },
    ],
  },
  {
    file: 'getobject-root.json',
    identityType: 'Root',
    principalKey: 'root:111122223333',
    accesses: [
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1010/visit-2025-02-11.json',
        decision: 'violation',
        reason: 'root user',
      },
    ],
  },
  {
    file: 'getobject-unknown-identity.json',
    identityType: 'Unknown',
    principalKey: 'unresolved:Unknown:EXAMPLEUNKNOWNPRINCIPAL',
    accesses: [
      { action: 'read', bucket: records, key: 'patients/p-1011/referral.pdf', decision: 'violation' },
    ],
  },
  {
    file: 'listobjects-access-denied.json',
    identityType: 'IAMUser',
    principalKey: 'arn:aws:iam::111122223333:user/contractor-temp',
    accesses: [{ action: 'list', bucket: records, key: '', decision: 'denied', reason: 'AccessDenied' }],
  },
  {
    file: 'listobjects-v2-prefix.json',
    identityType: 'IAMUser',
    principalKey: 'arn:aws:iam::111122223333:user/dana.analyst',
    accesses: [
      {
        action: 'list',
        bucket: records,
        key: 'patients/p-1001/',
        decision: 'authorized',
        grantId: 'g-dana-records-read',
      },
    ],
  },
  {
    file: 'copyobject-url-encoded-source.json',
    identityType: 'AssumedRole',
    principalKey: 'arn:aws:iam::111122223333:role/ehr-export-role',
    accesses: [
      {
        action: 'write',
        bucket: archive,
        key: 'archive/p-1001/scan été+1.dcm',
        decision: 'authorized',
        grantId: 'g-ehr-export-archive',
      },
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1001/scan été+1.dcm',
        decision: 'authorized',
        grantId: 'g-ehr-export-records',
      },
    ],
  },
  {
    file: 'uploadpartcopy-source-read.json',
    identityType: 'AssumedRole',
    principalKey: 'arn:aws:iam::111122223333:role/ehr-export-role',
    accesses: [
      {
        action: 'write',
        bucket: archive,
        key: 'archive/p-1002/labs.tar',
        decision: 'authorized',
        grantId: 'g-ehr-export-archive',
      },
      {
        action: 'read',
        bucket: records,
        key: 'patients/p-1002/labs.tar',
        decision: 'authorized',
        grantId: 'g-ehr-export-records',
      },
    ],
  },
  {
    file: 'deleteobjects-three-keys.json',
    identityType: 'IAMUser',
    principalKey: 'arn:aws:iam::111122223333:user/records-retention-job',
    accesses: [
      {
        action: 'delete',
        bucket: records,
        key: 'patients/p-1020/visit-2023-01-01.json',
        decision: 'authorized',
        grantId: 'g-retention-delete',
      },
      {
        action: 'delete',
        bucket: records,
        key: 'patients/p-1020/visit-2023-02-01.json',
        decision: 'authorized',
        grantId: 'g-retention-delete',
      },
      {
        action: 'delete',
        bucket: records,
        key: 'patients/p-1020/labs/2023-02-03.pdf',
        decision: 'authorized',
        grantId: 'g-retention-delete',
      },
    ],
  },
  {
    file: 'deleteobjects-single-key.json',
    identityType: 'IAMUser',
    principalKey: 'arn:aws:iam::111122223333:user/records-retention-job',
    accesses: [
      {
        action: 'delete',
        bucket: records,
        key: 'patients/p-1021/visit-2022-05-05.json',
        decision: 'authorized',
        grantId: 'g-retention-delete',
      },
    ],
  },
  ...['multipart-1-create.json', 'multipart-2-upload-part.json', 'multipart-3-complete.json'].map((file) => ({
    file,
    identityType: 'AssumedRole' as const,
    principalKey: 'arn:aws:iam::111122223333:role/imaging-ingest-role',
    accesses: [
      {
        action: 'write' as const,
        bucket: records,
        key: 'patients/p-1030/imaging/mri-2025-03-01.dcm',
        decision: 'break-glass' as const,
        grantId: 'g-imaging-ingest-break-glass',
      },
    ],
  })),
];

function decideFixture(file: string) {
  const [record] = extractRecords(loadFixture(file));
  const parsed = parseRecord(record);
  if (parsed.status !== 'accesses') throw new Error(`${file} was skipped: ${parsed.detail}`);

  return parsed.accesses.map((access) => ({
    access,
    decision: decideAccess(
      access,
      grants.filter((grant) => grant.principalKey === access.principal.key),
      context,
    ),
  }));
}

describe('fixture records through parseRecord and decideAccess', () => {
  it.each(cases)('$file', ({ file, identityType, principalKey, accesses }) => {
    const results = decideFixture(file);

    expect(results).toHaveLength(accesses.length);
    results.forEach(({ access, decision }, index) => {
      const expected = accesses[index];
      expect(access.principal.type).toBe(identityType);
      expect(access.principal.key).toBe(principalKey);
      expect(access.index).toBe(index);
      expect({ action: access.action, bucket: access.bucket, key: access.key }).toEqual({
        action: expected.action,
        bucket: expected.bucket,
        key: expected.key,
      });
      expect(decision.decision).toBe(expected.decision);
      expect(decision.decisionId).toBe(`${access.eventId}#${index}`);
      expect(decision.grantId).toBe(expected.grantId);
      if (expected.reason) expect(decision.reason).toContain(expected.reason);
    });
  });

  it('EventBridge envelope decides like its detail', () => {
    const results = decideFixture('eventbridge-putobject.json');

    expect(results).toHaveLength(1);
    expect(results[0].decision.decision).toBe('authorized');
    expect(results[0].decision.grantId).toBe('g-sso-nurse-notes');
    expect(results[0].access.principal.identityCenter).toBe(true);
  });

  it.each([
    ['management-getbucketpolicy.json', 'management-event'],
    ['network-activity-vpce-denied.json', 'network-activity-event'],
    ['not-s3-kms-decrypt.json', 'not-s3'],
  ])('%s is skipped as %s', (file, reason) => {
    const parsed = parseRecord(loadFixture(file));

    expect(parsed.status).toBe('skipped');
    if (parsed.status !== 'skipped') return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.detail).toMatch(/\.$/);
    expect(parsed.eventId).toBe(loadFixture(file).eventID);
  });

  it('record without eventID is invalid', () => {
    expect(() => parseRecord(loadFixture('invalid-missing-event-id.json'))).toThrow(
      'GetObject record is missing the required field eventID.',
    );
  });
});
