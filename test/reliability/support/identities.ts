/**
 * `userIdentity` elements of every type CloudTrail writes for S3 data events, with invented names in the
 * documented shapes. Account 111122223333 owns the PHI bucket; 444455556666 is another account.
 */
import { ACCOUNT_ID, OTHER_ACCOUNT_ID } from '../../validator/support/fixtures';

export type Identity = Record<string, unknown>;

export function federatedUserIdentity(name: string): Identity {
  return {
    type: 'FederatedUser',
    principalId: `${ACCOUNT_ID}:${name}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/${name}`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'ASIAEXAMPLEFEDERATED1',
    sessionContext: {
      sessionIssuer: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEISSUER0001',
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/portal-broker`,
        accountId: ACCOUNT_ID,
        userName: 'portal-broker',
      },
      attributes: { creationDate: '2025-03-01T09:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

export function identityCenterUserIdentity(userId: string): Identity {
  return {
    type: 'IdentityCenterUser',
    accountId: ACCOUNT_ID,
    onBehalfOf: {
      userId,
      identityStoreArn: `arn:aws:identitystore::${ACCOUNT_ID}:identitystore/d-9067000000`,
    },
    credentialId: 'EXAMPLEcredentialid0000000000000000000000000000',
  };
}

export function rootIdentity(): Identity {
  return {
    type: 'Root',
    principalId: ACCOUNT_ID,
    arn: `arn:aws:iam::${ACCOUNT_ID}:root`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'ASIAEXAMPLEROOTKEY01',
  };
}

/** Builds the identity of an unsigned request, as S3 records it for a public object. */
export function anonymousIdentity(): Identity {
  return { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
}

export function crossAccountIdentity(): Identity {
  return {
    type: 'AWSAccount',
    principalId: 'AROAEXAMPLEPARTNER01:partner-sync',
    accountId: OTHER_ACCOUNT_ID,
  };
}

export function serviceLinkedRoleIdentity(): Identity {
  const roleName = 'AWSServiceRoleForAmazonMacie';
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEMACIE0001:${roleName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/classification`,
    accountId: ACCOUNT_ID,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEMACIE0001',
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/macie.amazonaws.com/${roleName}`,
        accountId: ACCOUNT_ID,
        userName: roleName,
      },
    },
    invokedBy: 'macie.amazonaws.com',
  };
}

/** Builds an identity of a `type` that phi-guard does not resolve, such as SAMLUser or an invented one. */
export function unknownTypeIdentity(type: string): Identity {
  return { type, principalId: 'EXAMPLEPRINCIPAL0001', accountId: ACCOUNT_ID };
}

/** Builds a role session whose session ARN contains `sessionName` as written, even when IAM would reject it. */
export function roleSessionIdentity(roleName: string, sessionName: string): Identity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID0002:${sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${sessionName}`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'ASIAEXAMPLEKEYID0002',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID0002',
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`,
        accountId: ACCOUNT_ID,
        userName: roleName,
      },
      attributes: { creationDate: '2025-03-01T08:00:00Z', mfaAuthenticated: 'true' },
    },
  };
}
