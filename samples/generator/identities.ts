/**
 * The `userIdentity` elements of the invented hospital's principals, one builder per identity type
 * that CloudTrail writes.
 */
import { HOSPITAL_ACCOUNT, PARTNER_ACCOUNT, UserIdentity } from './records';
import { Random } from './random';

export interface RoleSpec {
  readonly name: string;
  /** The role's unique id, which starts with `AROA`. */
  readonly roleId: string;
  /** IAM path with leading and trailing slashes, `/` for none. */
  readonly path: string;
}

export function roleArn(role: RoleSpec): string {
  return `arn:aws:iam::${HOSPITAL_ACCOUNT}:role${role.path}${role.name}`;
}

/** Builds the identity of a role session in the hospital account. */
export function assumedRole(
  random: Random,
  role: RoleSpec,
  sessionName: string,
  issuedAt: string,
): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `${role.roleId}:${sessionName}`,
    arn: `arn:aws:sts::${HOSPITAL_ACCOUNT}:assumed-role/${role.name}/${sessionName}`,
    accountId: HOSPITAL_ACCOUNT,
    accessKeyId: `ASIA${random.upperAlphanumeric(16)}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: role.roleId,
        arn: roleArn(role),
        accountId: HOSPITAL_ACCOUNT,
        userName: role.name,
      },
      attributes: { creationDate: issuedAt, mfaAuthenticated: 'false' },
    },
  };
}

/** Builds the identity of a service-linked role session, which CloudTrail marks with `invokedBy`. */
export function serviceLinkedRole(
  random: Random,
  role: RoleSpec,
  service: string,
  issuedAt: string,
): UserIdentity {
  return {
    ...assumedRole(random, role, service.split('.')[0], issuedAt),
    invokedBy: service,
  };
}

export function iamUser(name: string, userId: string, accessKeyId: string): UserIdentity {
  return {
    type: 'IAMUser',
    principalId: userId,
    arn: `arn:aws:iam::${HOSPITAL_ACCOUNT}:user/${name}`,
    accountId: HOSPITAL_ACCOUNT,
    accessKeyId,
    userName: name,
  };
}

/** Builds the identity of a request made on behalf of an IAM Identity Center user (`IdentityCenterUser`). */
export function identityCenterUser(
  userId: string,
  identityStoreId: string,
  credentialId: string,
): UserIdentity {
  return {
    type: 'IdentityCenterUser',
    accountId: HOSPITAL_ACCOUNT,
    onBehalfOf: {
      userId,
      identityStoreArn: `arn:aws:identitystore::${HOSPITAL_ACCOUNT}:identitystore/${identityStoreId}`,
    },
    credentialId,
  };
}

/** Builds the identity of a partner account's role session as the bucket owner's trail shows it: account and principal id only. */
export function partnerAccount(roleId: string, sessionName: string): UserIdentity {
  return {
    type: 'AWSAccount',
    principalId: `${roleId}:${sessionName}`,
    accountId: PARTNER_ACCOUNT,
  };
}

export function rootUser(accessKeyId: string): UserIdentity {
  return {
    type: 'Root',
    principalId: HOSPITAL_ACCOUNT,
    arn: `arn:aws:iam::${HOSPITAL_ACCOUNT}:root`,
    accountId: HOSPITAL_ACCOUNT,
    accessKeyId,
    sessionContext: { attributes: { creationDate: '2025-03-14T22:41:09Z', mfaAuthenticated: 'true' } },
  };
}
