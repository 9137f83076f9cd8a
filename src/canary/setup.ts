/**
 * Custom resource of the canary. It writes the canary grants into the grants table and the synthetic
 * object into the PHI bucket. On deletion it removes the object and revokes the grants, which stay on
 * record because grants are never deleted.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { GrantAlreadyRevokedError, GrantNotFoundError } from '../grants/errors';
import { putGrants, revokeGrantById } from '../grants/grant-repository';
import {
  buildCanaryGrants,
  CANARY_OBJECT_CONTENT,
  CANARY_READ_GRANT_ID,
  CANARY_SETUP_GRANT_ID,
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

/**
 * Applies one CloudFormation request and returns the physical resource id.
 * NOTE: an update that replaces the granted role writes the read grant under the new role and leaves
 * the old role's grant in place until the stack is deleted.
 */
export async function applyCanarySetup(
  event: CloudFormationCustomResourceEvent,
  dependencies: CanarySetupDependencies,
): Promise<string> {
  const properties = event.ResourceProperties as unknown as CanarySetupProperties;
  const physicalId = `${properties.Bucket}/${properties.Key}`;
  const table = { client: dependencies.dynamoDb, tableName: properties.GrantsTableName };

  if (event.RequestType === 'Delete') {
    await dependencies.s3.send(new DeleteObjectCommand({ Bucket: properties.Bucket, Key: properties.Key }));
    const revokedAt = (dependencies.clock ?? (() => new Date()))().toISOString();
    for (const grantId of [CANARY_READ_GRANT_ID, CANARY_SETUP_GRANT_ID]) {
      await revokeIfActive(table, grantId, revokedAt);
    }
    return physicalId;
  }

  const notBefore = (dependencies.clock ?? (() => new Date()))().toISOString();
  // The grants come first, so that writing the object is already an authorized access.
  await putGrants(
    table,
    buildCanaryGrants({
      readerRoleArn: properties.ReaderRoleArn,
      setupRoleArn: properties.SetupRoleArn,
      bucket: properties.Bucket,
      key: properties.Key,
      notBefore,
    }),
  );
  await dependencies.s3.send(
    new PutObjectCommand({
      Bucket: properties.Bucket,
      Key: properties.Key,
      Body: CANARY_OBJECT_CONTENT,
      ContentType: 'text/plain',
    }),
  );
  return physicalId;
}

async function revokeIfActive(
  table: Parameters<typeof revokeGrantById>[0],
  grantId: string,
  revokedAt: string,
): Promise<void> {
  try {
    await revokeGrantById(table, grantId, {
      revokedAt,
      revokedBy: 'phi-guard canary setup',
      reason: 'The canary was removed from the stack.',
    });
  } catch (error) {
    // A stack deletion after a failed creation finds no grant; a repeated deletion finds it revoked.
    if (error instanceof GrantNotFoundError || error instanceof GrantAlreadyRevokedError) return;
    throw error;
  }
}
