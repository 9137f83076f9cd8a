/**
 * Custom resource of the canary. Create and Update write the canary grants into the grants table and the
 * synthetic object into the PHI bucket. Delete removes the object and revokes the grants, which stay on
 * record because grants are never deleted. `canary-grant.ts` describes the grant ids.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { principalKeyOf } from '../domain/grants';
import type { Grant } from '../domain/types';
import { GrantAlreadyRevokedError } from '../grants/errors';
import {
  putGrants,
  queryGrantsOfPrincipal,
  revokeGrantById,
  type GrantsTable,
} from '../grants/grant-repository';
import {
  buildCanaryGrants,
  CANARY_OBJECT_CONTENT,
  canaryGrantIdSuffix,
  planCanaryGrants,
  type CanaryObject,
} from './canary-grant';

/** Properties of the custom resource, as the stack sets them. */
export interface CanarySetupProperties {
  readonly GrantsTableName: string;
  readonly Bucket: string;
  readonly Key: string;
  readonly ReaderRoleArn: string;
  readonly SetupRoleArn: string;
}

export interface CanarySetupDependencies {
  readonly s3: S3Client;
  readonly dynamoDb: DynamoDBClient;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

const PROPERTY_NAMES = ['GrantsTableName', 'Bucket', 'Key', 'ReaderRoleArn', 'SetupRoleArn'] as const;

const REVOKED_BY = 'phi-guard canary setup';
const DELETE_REASON = 'The canary custom resource was deleted, which removes its object and its grants.';
const UPDATE_REASON =
  'A stack update replaced a canary role or moved the canary object, so the canary no longer needs this grant.';

/**
 * Applies one CloudFormation request and returns the physical resource id, `bucket/key`. The id changes
 * only when the object moves, so CloudFormation sends a Delete for the old object only then.
 * @throws Error when a property is missing, and the errors of S3 and the grants table.
 */
export async function applyCanarySetup(
  event: CloudFormationCustomResourceEvent,
  dependencies: CanarySetupDependencies,
): Promise<string> {
  const properties = readCanarySetupProperties(event.ResourceProperties);
  const table: GrantsTable = { client: dependencies.dynamoDb, tableName: properties.GrantsTableName };
  const clock = dependencies.clock ?? (() => new Date());

  if (event.RequestType === 'Delete') {
    await removeCanary(properties, table, dependencies.s3, clock);
  } else {
    await writeCanary(event, properties, table, dependencies.s3, clock);
  }
  return `${properties.Bucket}/${properties.Key}`;
}

/**
 * Reads the custom resource properties.
 * @throws Error naming every property that is missing or empty.
 */
export function readCanarySetupProperties(value: Record<string, unknown>): CanarySetupProperties {
  const missing = PROPERTY_NAMES.filter((name) => {
    const property = value[name];
    return typeof property !== 'string' || property.trim() === '';
  });
  if (missing.length > 0) {
    throw new Error(
      `Canary custom resource properties ${missing.join(', ')} are missing or empty. ` +
        'The Canary construct sets all of them, so redeploy the stack to restore them.',
    );
  }
  return {
    GrantsTableName: String(value.GrantsTableName),
    Bucket: String(value.Bucket),
    Key: String(value.Key),
    ReaderRoleArn: String(value.ReaderRoleArn),
    SetupRoleArn: String(value.SetupRoleArn),
  };
}

/**
 * Writes the grants that the properties require and the object, then revokes the canary grants that an
 * Update left unneeded: those of a replaced role, and those on the old object when the object moved.
 * A request that finds its grants active already writes none.
 */
async function writeCanary(
  event: CloudFormationCustomResourceCreateEvent | CloudFormationCustomResourceUpdateEvent,
  properties: CanarySetupProperties,
  table: GrantsTable,
  s3: S3Client,
  clock: () => Date,
): Promise<void> {
  const propertySets =
    event.RequestType === 'Update'
      ? [properties, readCanarySetupProperties(event.OldResourceProperties)]
      : [properties];
  const required = buildCanaryGrants({
    readerRoleArn: properties.ReaderRoleArn,
    setupRoleArn: properties.SetupRoleArn,
    bucket: properties.Bucket,
    key: properties.Key,
    idSuffix: canaryGrantIdSuffix(event.RequestId),
    createdAt: clock(),
  });
  const stored = await readGrantsOfRoles(table, propertySets);
  const plan = planCanaryGrants(required, stored, propertySets.map(objectOf));

  // The grants come first, so that writing the object is already an authorized access.
  if (plan.write.length > 0) {
    await putGrants(table, plan.write);
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: properties.Bucket,
      Key: properties.Key,
      Body: CANARY_OBJECT_CONTENT,
      ContentType: 'text/plain',
    }),
  );
  await revokeGrants(table, plan.revoke, UPDATE_REASON, clock);
}

/**
 * Deletes the object, then revokes every active canary grant of the two roles on it. Canary grants on
 * another object are left alone, because the Delete that follows a move of the object must not revoke
 * the grants that the Update wrote for the same roles on the new object.
 * NOTE: the setup role's policy covers only the current object, so that Delete fails with AccessDenied
 * and the old object stays in place. The Update has revoked the grants on it already.
 */
async function removeCanary(
  properties: CanarySetupProperties,
  table: GrantsTable,
  s3: S3Client,
  clock: () => Date,
): Promise<void> {
  // The object goes first, so that the setup role's delete is still covered by its grant.
  await s3.send(new DeleteObjectCommand({ Bucket: properties.Bucket, Key: properties.Key }));

  const stored = await readGrantsOfRoles(table, [properties]);
  const plan = planCanaryGrants([], stored, [objectOf(properties)]);
  await revokeGrants(table, plan.revoke, DELETE_REASON, clock);
}

/** Reads every grant of the reader and setup roles named in the properties, with strongly consistent Queries. */
async function readGrantsOfRoles(
  table: GrantsTable,
  propertySets: readonly CanarySetupProperties[],
): Promise<Grant[]> {
  const roleArns = propertySets.flatMap((properties) => [properties.ReaderRoleArn, properties.SetupRoleArn]);
  const principalKeys = [...new Set(roleArns.map((arn) => principalKeyOf(arn).principalKey))];
  const grants = await Promise.all(principalKeys.map((key) => queryGrantsOfPrincipal(table, key, true)));
  return grants.flat();
}

/**
 * Revokes the grants one at a time, each read by its primary key, so the eventually consistent grantId index
 * cannot miss a grant written moments earlier. Each revocation takes the time at which it is made.
 */
async function revokeGrants(
  table: GrantsTable,
  grants: readonly Grant[],
  reason: string,
  clock: () => Date,
): Promise<void> {
  for (const grant of grants) {
    const details = { revokedAt: clock().toISOString(), revokedBy: REVOKED_BY, reason };
    try {
      await revokeGrantById(table, grant.grantId, details, { principalKey: grant.principalKey });
    } catch (error) {
      // Another writer revoked the grant after the Query read it, which is the outcome this request needs.
      if (!(error instanceof GrantAlreadyRevokedError)) {
        throw error;
      }
    }
  }
}

function objectOf(properties: CanarySetupProperties): CanaryObject {
  return { bucket: properties.Bucket, key: properties.Key };
}
