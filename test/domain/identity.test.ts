import { normalizeIdentity } from '../../src/domain/identity';
import type { Principal } from '../../src/domain/types';

const owner = '111122223333';

type Case = [string, unknown, Partial<Principal>];

const cases: Case[] = [
  [
    'IAM user with a path',
    { type: 'IAMUser', arn: `arn:aws:iam::${owner}:user/clinical/dana`, accountId: owner, userName: 'dana' },
    { key: `arn:aws:iam::${owner}:user/dana`, type: 'IAMUser', sessionName: 'dana', accountId: owner },
  ],
  [
    'IAM user without an ARN',
    { type: 'IAMUser', accountId: owner, userName: 'dana', principalId: 'AIDAEXAMPLE' },
    { key: `arn:aws:iam::${owner}:user/dana`, type: 'IAMUser', arn: `arn:aws:iam::${owner}:user/dana` },
  ],
  [
    'IAM user without ARN or name',
    { type: 'IAMUser', principalId: 'AIDAEXAMPLE', accountId: owner },
    { key: 'unresolved:IAMUser:AIDAEXAMPLE', type: 'IAMUser' },
  ],
  [
    'role session with source identity',
    {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:batch-7',
      arn: `arn:aws:sts::${owner}:assumed-role/export-role/batch-7`,
      accountId: owner,
      sessionContext: {
        sourceIdentity: 'dana@example.org',
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${owner}:role/service/export-role`,
          userName: 'export-role',
        },
      },
    },
    {
      key: `arn:aws:iam::${owner}:role/export-role`,
      type: 'AssumedRole',
      sessionName: 'batch-7',
      sourceIdentity: 'dana@example.org',
      roleArn: `arn:aws:iam::${owner}:role/service/export-role`,
      serviceLinked: false,
      identityCenter: false,
    },
  ],
  [
    'role session without sessionContext',
    { type: 'AssumedRole', arn: `arn:aws:sts::${owner}:assumed-role/app-role/i-0abc`, accountId: owner },
    { key: `arn:aws:iam::${owner}:role/app-role`, sessionName: 'i-0abc', roleArn: undefined },
  ],
  [
    'Identity Center permission set session',
    {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${owner}:assumed-role/AWSReservedSSO_Nurses_0123abcd/sam@example.org`,
      accountId: owner,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${owner}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Nurses_0123abcd`,
        },
      },
    },
    {
      key: `arn:aws:iam::${owner}:role/AWSReservedSSO_Nurses_0123abcd`,
      sessionName: 'sam@example.org',
      identityCenter: true,
    },
  ],
  [
    'AWSReservedSSO name outside the reserved path',
    {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${owner}:assumed-role/AWSReservedSSO_Fake/s`,
      sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${owner}:role/AWSReservedSSO_Fake` } },
    },
    { key: `arn:aws:iam::${owner}:role/AWSReservedSSO_Fake`, identityCenter: false },
  ],
  [
    'IdentityCenterUser on behalf of a user',
    {
      type: 'IdentityCenterUser',
      accountId: owner,
      onBehalfOf: {
        userId: '544894e8-80c1-4f00-a0e3-3ba6510dfac1',
        identityStoreArn: `arn:aws:identitystore::${owner}:identitystore/d-1234567890`,
      },
      credentialId: 'EXAMPLEcredential',
    },
    {
      key: 'arn:aws:identitystore:::user/544894e8-80c1-4f00-a0e3-3ba6510dfac1',
      arn: 'arn:aws:identitystore:::user/544894e8-80c1-4f00-a0e3-3ba6510dfac1',
      type: 'IdentityCenterUser',
      identityCenter: true,
      accountId: owner,
    },
  ],
  [
    'federated user',
    { type: 'FederatedUser', arn: `arn:aws:sts::${owner}:federated-user/portal`, accountId: owner },
    { key: `arn:aws:sts::${owner}:federated-user/portal`, type: 'FederatedUser', sessionName: 'portal' },
  ],
  [
    'other account',
    { type: 'AWSAccount', principalId: 'AROAEXAMPLE:sync', accountId: '444455556666' },
    {
      key: '444455556666',
      type: 'AWSAccount',
      accountId: '444455556666',
      crossAccount: true,
      arn: '444455556666',
    },
  ],
  [
    'anonymous request',
    { type: 'AWSAccount', principalId: '', accountId: 'anonymous' },
    { key: 'anonymous', type: 'Anonymous', accountId: undefined, crossAccount: false },
  ],
  [
    'anonymous principal marker',
    { type: 'AWSAccount', accountId: 'ANONYMOUS_PRINCIPAL' },
    { key: 'anonymous', type: 'Anonymous' },
  ],
  [
    'AWS service',
    { type: 'AWSService', invokedBy: 'backup.amazonaws.com' },
    {
      key: 'backup.amazonaws.com',
      type: 'AWSService',
      serviceLinked: true,
      invokedBy: 'backup.amazonaws.com',
      accountId: undefined,
    },
  ],
  [
    'service-linked role',
    {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${owner}:assumed-role/AWSServiceRoleForAmazonMacie/SessionForMacie`,
      invokedBy: 'macie.amazonaws.com',
      sessionContext: {
        sessionIssuer: {
          arn: `arn:aws:iam::${owner}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
        },
      },
    },
    {
      key: `arn:aws:iam::${owner}:role/AWSServiceRoleForAmazonMacie`,
      serviceLinked: true,
      invokedBy: 'macie.amazonaws.com',
    },
  ],
  [
    'root user',
    { type: 'Root', arn: `arn:aws:iam::${owner}:root`, accountId: owner },
    { key: `root:${owner}`, type: 'Root', accountId: owner, crossAccount: false },
  ],
  [
    'unknown type',
    { type: 'Directory', userName: 'someone@example.org' },
    { key: 'unresolved:Directory:someone@example.org', type: 'Unknown' },
  ],
  [
    'missing identity',
    undefined,
    { key: 'unresolved:none:none', type: 'Unknown', arn: 'unresolved:none:none' },
  ],
  [
    'GovCloud user',
    { type: 'IAMUser', arn: `arn:aws-us-gov:iam::${owner}:user/dana` },
    { key: `arn:aws-us-gov:iam::${owner}:user/dana` },
  ],
];

describe('normalizeIdentity', () => {
  it.each(cases)('%s', (_name, userIdentity, expected) => {
    const principal = normalizeIdentity(userIdentity, owner);

    for (const [field, value] of Object.entries(expected)) {
      expect({ field, value: principal[field as keyof Principal] }).toEqual({ field, value });
    }
  });

  it('same account is not cross-account', () => {
    const principal = normalizeIdentity({ type: 'AWSAccount', accountId: owner }, owner);
    expect(principal.crossAccount).toBe(false);
  });

  it('unknown recipient is not cross-account', () => {
    const principal = normalizeIdentity({ type: 'AWSAccount', accountId: '444455556666' });
    expect(principal.crossAccount).toBe(false);
  });
});
