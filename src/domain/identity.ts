/**
 * Normalizes the CloudTrail `userIdentity` element into a `Principal` whose `key` is the form grants are
 * stored under. Identities that cannot be resolved get a key starting with `unresolved:`, which no grant
 * principal can produce, so their accesses to PHI are violations.
 */
import { isJsonObject, readObject, readString, type JsonObject } from './json-value';
import {
  federatedUserKey,
  identityCenterUserKey,
  parsePrincipalArn,
  roleKey,
  rootKey,
  userKey,
  type PrincipalArn,
} from './principal-arn';
import type { IdentityType, Principal } from './types';

/** Values that S3 writes in `accountId` or `principalId` of `AWSAccount` identities for unsigned requests. */
const ANONYMOUS_MARKERS = new Set(['anonymous', 'anonymous_principal']);

/** Key of every unsigned (anonymous) request. */
export const ANONYMOUS_KEY = 'anonymous';

const SERVICE_LINKED_ROLE_PATH = '/aws-service-role/';
const SERVICE_LINKED_ROLE_PREFIX = 'AWSServiceRoleFor';
const IDENTITY_CENTER_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';
const IDENTITY_CENTER_ROLE_PREFIX = 'AWSReservedSSO_';

type ResolvedIdentity = Omit<Principal, 'crossAccount' | 'invokedBy' | 'principalId'>;

/**
 * Builds the `Principal` of a CloudTrail record from its `userIdentity`.
 *
 * @param recipientAccountId the record's `recipientAccountId` (the bucket owner for S3 data events), used
 *   to set `crossAccount`.
 */
export function normalizeIdentity(userIdentity: unknown, recipientAccountId?: string): Principal {
  const identity = isJsonObject(userIdentity) ? userIdentity : {};
  const resolved = resolveIdentity(identity);
  const crossAccount =
    resolved.accountId !== undefined &&
    recipientAccountId !== undefined &&
    resolved.accountId !== recipientAccountId;

  const invokedBy = readString(identity, 'invokedBy');
  const principalId = readString(identity, 'principalId');
  return {
    ...resolved,
    crossAccount,
    ...(invokedBy === undefined ? {} : { invokedBy }),
    ...(principalId === undefined || principalId === '' ? {} : { principalId }),
  };
}

function resolveIdentity(identity: JsonObject): ResolvedIdentity {
  switch (readString(identity, 'type')) {
    case 'IAMUser':
      return resolveIamUser(identity);
    case 'AssumedRole':
      return resolveAssumedRole(identity);
    case 'IdentityCenterUser':
      return resolveIdentityCenterUser(identity);
    case 'FederatedUser':
      return resolveFederatedUser(identity);
    case 'AWSAccount':
      return isAnonymous(identity) ? anonymousIdentity() : resolveAccount(identity);
    case 'AWSService':
      return resolveService(identity);
    case 'Root':
      return resolveRoot(identity);
    default:
      return unresolvedIdentity(identity, 'Unknown');
  }
}

function resolveIamUser(identity: JsonObject): ResolvedIdentity {
  const arn = parseArnField(identity);
  const accountId = readString(identity, 'accountId');
  const userName = readString(identity, 'userName');

  if (arn?.kind === 'user') {
    return identityOf(identity, 'IAMUser', userKey(arn.partition, arn.accountId, arn.name), {
      accountId: accountId ?? arn.accountId,
      sessionName: arn.name,
    });
  }

  // NOTE: without an ARN the partition is unknown and taken to be `aws`.
  if (accountId !== undefined && userName !== undefined) {
    return identityOf(identity, 'IAMUser', userKey('aws', accountId, userName), {
      accountId,
      sessionName: userName,
    });
  }

  return unresolvedIdentity(identity, 'IAMUser');
}

function resolveAssumedRole(identity: JsonObject): ResolvedIdentity {
  const issuer = readObject(readObject(identity, 'sessionContext'), 'sessionIssuer');
  const issuerArn = parseArnString(readString(issuer, 'arn'));
  const role = issuerArn?.kind === 'role' ? issuerArn : undefined;
  const sessionArn = parseArnField(identity);
  const session = sessionArn?.kind === 'assumed-role' ? sessionArn : undefined;

  const roleName = role?.name ?? session?.roleName;
  const partition = role?.partition ?? session?.partition;
  const roleAccountId = role?.accountId ?? session?.accountId;
  if (roleName === undefined || partition === undefined || roleAccountId === undefined) {
    return unresolvedIdentity(identity, 'AssumedRole');
  }

  return identityOf(identity, 'AssumedRole', roleKey(partition, roleAccountId, roleName), {
    accountId: readString(identity, 'accountId') ?? roleAccountId,
    sessionName: session?.sessionName ?? sessionNameFromPrincipalId(identity),
    sourceIdentity: readString(readObject(identity, 'sessionContext'), 'sourceIdentity'),
    roleArn: role ? readString(issuer, 'arn') : undefined,
    serviceLinked: role
      ? role.path.startsWith(SERVICE_LINKED_ROLE_PATH)
      : roleName.startsWith(SERVICE_LINKED_ROLE_PREFIX),
    identityCenter:
      roleName.startsWith(IDENTITY_CENTER_ROLE_PREFIX) &&
      (role === undefined || role.path.startsWith(IDENTITY_CENTER_ROLE_PATH)),
  });
}

/** `principalId` of a role session is `ROLE_ID:SESSION_NAME`. */
function sessionNameFromPrincipalId(identity: JsonObject): string | undefined {
  const principalId = readString(identity, 'principalId');
  const separator = principalId?.indexOf(':') ?? -1;
  return separator > 0 ? principalId?.slice(separator + 1) || undefined : undefined;
}

function resolveIdentityCenterUser(identity: JsonObject): ResolvedIdentity {
  const userId = readString(readObject(identity, 'onBehalfOf'), 'userId');
  if (userId === undefined) return unresolvedIdentity(identity, 'IdentityCenterUser');

  return identityOf(identity, 'IdentityCenterUser', identityCenterUserKey(userId), {
    accountId: readString(identity, 'accountId'),
    identityCenter: true,
  });
}

function resolveFederatedUser(identity: JsonObject): ResolvedIdentity {
  const arn = parseArnField(identity);
  if (arn?.kind !== 'federated-user') return unresolvedIdentity(identity, 'FederatedUser');

  return identityOf(identity, 'FederatedUser', federatedUserKey(arn.partition, arn.accountId, arn.name), {
    accountId: readString(identity, 'accountId') ?? arn.accountId,
    sessionName: arn.name,
  });
}

function isAnonymous(identity: JsonObject): boolean {
  const accountId = readString(identity, 'accountId')?.toLowerCase();
  const principalId = readString(identity, 'principalId')?.toLowerCase();
  return ANONYMOUS_MARKERS.has(accountId ?? '') || ANONYMOUS_MARKERS.has(principalId ?? '');
}

function anonymousIdentity(): ResolvedIdentity {
  return {
    key: ANONYMOUS_KEY,
    type: 'Anonymous',
    arn: ANONYMOUS_KEY,
    serviceLinked: false,
    identityCenter: false,
  };
}

function resolveAccount(identity: JsonObject): ResolvedIdentity {
  const accountId = readString(identity, 'accountId');
  if (accountId === undefined) return unresolvedIdentity(identity, 'AWSAccount');

  return identityOf(identity, 'AWSAccount', accountId, { accountId });
}

function resolveService(identity: JsonObject): ResolvedIdentity {
  const service = readString(identity, 'invokedBy') ?? `unresolved:AWSService:${principalIdOf(identity)}`;
  return identityOf(identity, 'AWSService', service, { serviceLinked: true });
}

function resolveRoot(identity: JsonObject): ResolvedIdentity {
  const arn = parseArnField(identity);
  const accountId = readString(identity, 'accountId') ?? (arn?.kind === 'root' ? arn.accountId : undefined);
  if (accountId === undefined) return unresolvedIdentity(identity, 'Root');

  return identityOf(identity, 'Root', rootKey(accountId), { accountId });
}

/** Builds the identity of a principal whose type or fields do not name anything that a grant could cover. */
function unresolvedIdentity(identity: JsonObject, type: IdentityType): ResolvedIdentity {
  const writtenType = readString(identity, 'type') ?? 'none';
  const key = `unresolved:${writtenType}:${principalIdOf(identity)}`;
  return identityOf(identity, type, key, { accountId: readString(identity, 'accountId') });
}

function principalIdOf(identity: JsonObject): string {
  return (
    readString(identity, 'arn') ??
    readString(identity, 'principalId') ??
    readString(identity, 'accountId') ??
    readString(identity, 'userName') ??
    'none'
  );
}

function identityOf(
  identity: JsonObject,
  type: IdentityType,
  key: string,
  fields: Partial<Omit<ResolvedIdentity, 'key' | 'type' | 'arn'>>,
): ResolvedIdentity {
  return {
    serviceLinked: false,
    identityCenter: false,
    ...withoutUndefined(fields),
    key,
    type,
    arn: readString(identity, 'arn') ?? key,
  };
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function parseArnField(identity: JsonObject): PrincipalArn | undefined {
  return parseArnString(readString(identity, 'arn'));
}

function parseArnString(arn: string | undefined): PrincipalArn | undefined {
  return arn === undefined ? undefined : parsePrincipalArn(arn);
}
