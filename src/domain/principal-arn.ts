/**
 * Parses the ARNs of IAM, STS and Identity Center principals and builds the canonical `Principal.key`
 * forms from them. Shared by CloudTrail identity normalization and grant parsing, so that both sides
 * produce the same key for the same principal.
 */

/** The principal an ARN names. `path` is the IAM path with its slashes, such as `/` or `/team/`. */
export type PrincipalArn =
  | { readonly kind: 'root'; readonly partition: string; readonly accountId: string }
  | PathedArn<'user'>
  | PathedArn<'role'>
  | {
      readonly kind: 'assumed-role';
      readonly partition: string;
      readonly accountId: string;
      readonly roleName: string;
      readonly sessionName: string;
    }
  | {
      readonly kind: 'federated-user';
      readonly partition: string;
      readonly accountId: string;
      readonly name: string;
    }
  | { readonly kind: 'identity-center-user'; readonly userId: string };

interface PathedArn<K extends 'user' | 'role'> {
  readonly kind: K;
  readonly partition: string;
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

const ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):(iam|sts|identitystore)::(\d{12})?:(.+)$/;

/**
 * Characters IAM allows in user, role and role session names. Lengths are not checked, so that a record
 * with an overlong name still resolves to its role.
 */
const IAM_NAME = /^[\w+=,.@-]+$/;
const IDENTITY_STORE_USER_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Parses a principal ARN; returns undefined for anything that is not one of the supported forms. */
export function parsePrincipalArn(arn: string): PrincipalArn | undefined {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return undefined;

  const [, partition, service, accountId, resource] = match;
  if (service === 'identitystore') return parseIdentityStoreResource(resource, accountId);
  if (accountId === undefined) return undefined;

  return service === 'iam'
    ? parseIamResource(partition, accountId, resource)
    : parseStsResource(partition, accountId, resource);
}

function parseIamResource(partition: string, accountId: string, resource: string): PrincipalArn | undefined {
  if (resource === 'root') return { kind: 'root', partition, accountId };

  const match = /^(user|role)(\/(?:[^/]+\/)*)([^/]+)$/.exec(resource);
  if (!match || !IAM_NAME.test(match[3])) return undefined;

  const kind = match[1] as 'user' | 'role';
  return { kind, partition, accountId, path: match[2], name: match[3] };
}

function parseStsResource(partition: string, accountId: string, resource: string): PrincipalArn | undefined {
  const segments = resource.split('/');
  if (!segments.slice(1).every((segment) => IAM_NAME.test(segment))) return undefined;

  if (segments[0] === 'assumed-role' && segments.length === 3) {
    return { kind: 'assumed-role', partition, accountId, roleName: segments[1], sessionName: segments[2] };
  }
  if (segments[0] === 'federated-user' && segments.length === 2) {
    return { kind: 'federated-user', partition, accountId, name: segments[1] };
  }

  return undefined;
}

function parseIdentityStoreResource(
  resource: string,
  accountId: string | undefined,
): PrincipalArn | undefined {
  const match = /^user\/(.+)$/.exec(resource);
  if (accountId !== undefined || !match || !IDENTITY_STORE_USER_ID.test(match[1])) return undefined;

  return { kind: 'identity-center-user', userId: match[1] };
}

/** `arn:PARTITION:iam::ACCOUNT:user/NAME`, the IAM path removed. */
export function userKey(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:user/${name}`;
}

/** `arn:PARTITION:iam::ACCOUNT:role/NAME`, the IAM path removed. */
export function roleKey(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

export function federatedUserKey(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:sts::${accountId}:federated-user/${name}`;
}

/** Identity Center user ids are UUIDs, so the key leaves out the account and the identity store. */
export function identityCenterUserKey(userId: string): string {
  return `arn:aws:identitystore:::user/${userId}`;
}

/** Root keys cannot be written as a grant principal, so no grant ever covers the root user. */
export function rootKey(accountId: string): string {
  return `root:${accountId}`;
}
