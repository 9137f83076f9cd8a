/**
 * Adds and removes one containment statement in an S3 bucket policy, keeping every other statement.
 *
 * NOTE: S3 has no conditional PutBucketPolicy, so two writers that read the same policy at the same moment
 * (two containments of different principals, or a containment and a release) can lose one statement.
 * Containment is rare and takes well under a second, but a lost statement leaves that principal uncontained.
 * CloudFormation also rewrites the whole policy of a bucket it manages when a deployment changes that policy,
 * which drops the containment statements in it.
 */
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PolicyStatement } from './policy-builder';

/** A bucket policy as stored: other tools may write `Statement` as one object instead of an array. */
interface StoredBucketPolicy {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement?: unknown;
}

interface StoredStatement {
  readonly Sid?: unknown;
}

/** Reads a bucket policy, or returns undefined when the bucket has none (`NoSuchBucketPolicy`). */
export async function readBucketPolicy(
  s3: S3Client,
  bucket: string,
): Promise<StoredBucketPolicy | undefined> {
  try {
    const response = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return response.Policy ? (JSON.parse(response.Policy) as StoredBucketPolicy) : undefined;
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchBucketPolicy') {
      return undefined;
    }
    throw error;
  }
}

function statementsOf(policy: StoredBucketPolicy | undefined): StoredStatement[] {
  const statement = policy?.Statement;
  if (statement === undefined) {
    return [];
  }
  return (Array.isArray(statement) ? statement : [statement]) as StoredStatement[];
}

/** Adds `statement` unless a statement with its `Sid` is already there. Returns true when it was added. */
export async function addBucketStatement(
  s3: S3Client,
  bucket: string,
  statement: PolicyStatement,
): Promise<boolean> {
  const policy = await readBucketPolicy(s3, bucket);
  const statements = statementsOf(policy);
  if (statements.some((existing) => existing.Sid === statement.Sid)) {
    return false;
  }

  const updated = {
    ...policy,
    Version: policy?.Version ?? '2012-10-17',
    Statement: [...statements, statement],
  };
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(updated) }));
  return true;
}

/**
 * Removes the statements with `sid`. Deletes the bucket policy when nothing else remains, because S3
 * rejects a policy without statements. Returns true when a statement was removed.
 */
export async function removeBucketStatement(s3: S3Client, bucket: string, sid: string): Promise<boolean> {
  const policy = await readBucketPolicy(s3, bucket);
  const statements = statementsOf(policy);
  const remaining = statements.filter((existing) => existing.Sid !== sid);
  if (remaining.length === statements.length) {
    return false;
  }

  if (remaining.length === 0) {
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  } else {
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ ...policy, Statement: remaining }),
      }),
    );
  }
  return true;
}
