/**
 * Applies and removes containment with IAM inline policies and S3 bucket policies. The clients are passed
 * in, so the Lambda, the CLI and the tests each choose their endpoint and credentials.
 */
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ContainmentResult } from '../types';
import { addBucketStatement, removeBucketStatement } from './bucket-policy';
import {
  type BucketPolicyPlan,
  type ContainmentPlan,
  type IdentityPolicyPlan,
  describePlacement,
  resultForPlan,
} from './strategy';

export interface ContainmentClients {
  readonly iam: IAMClient;
  readonly s3: S3Client;
}

/** Outcome of a removal: whether it changed anything, and the change in one sentence. */
export interface RemovalOutcome {
  readonly changed: boolean;
  readonly detail: string;
}

function isNoSuchEntity(error: unknown): boolean {
  return error instanceof Error && error.name === 'NoSuchEntityException';
}

/**
 * Applies a plan. A skip plan makes no call. An inline policy or bucket statement that is already there
 * (a retry of the same incident) is left as it is, and the result is `already-contained`.
 */
export async function applyContainment(
  clients: ContainmentClients,
  plan: ContainmentPlan,
): Promise<ContainmentResult> {
  if (plan.kind === 'skip') {
    return resultForPlan(plan, plan.status, plan.detail);
  }
  if (plan.kind === 'identity-policy') {
    return applyIdentityPolicy(clients.iam, plan);
  }
  return applyBucketPolicy(clients.s3, plan);
}

async function applyIdentityPolicy(iam: IAMClient, plan: IdentityPolicyPlan): Promise<ContainmentResult> {
  const placement = describePlacement(plan);
  const existing = await getInlinePolicy(iam, plan);
  if (existing !== undefined) {
    // A retry keeps the first policy, because rewriting it would move a token issue time past sessions issued since.
    const result = resultForPlan(
      plan,
      'already-contained',
      `The ${placement} was already there; nothing changed.`,
    );
    return { ...result, policyDocument: existing };
  }

  const document = JSON.stringify(plan.document);
  const names = { PolicyName: plan.policyName, PolicyDocument: document };
  if (plan.entity === 'user') {
    await iam.send(new PutUserPolicyCommand({ UserName: plan.entityName, ...names }));
  } else {
    await iam.send(new PutRolePolicyCommand({ RoleName: plan.entityName, ...names }));
  }
  return resultForPlan(plan, 'contained', `Added the ${placement}, which ${plan.effect}.`);
}

/** Returns the inline policy document (IAM returns it URL-encoded), or undefined when there is none. */
async function getInlinePolicy(iam: IAMClient, plan: IdentityPolicyPlan): Promise<string | undefined> {
  try {
    const response =
      plan.entity === 'user'
        ? await iam.send(new GetUserPolicyCommand({ UserName: plan.entityName, PolicyName: plan.policyName }))
        : await iam.send(
            new GetRolePolicyCommand({ RoleName: plan.entityName, PolicyName: plan.policyName }),
          );
    return decodeURIComponent(response.PolicyDocument ?? '');
  } catch (error) {
    // NoSuchEntity also means that the user or role is gone, and then the put that follows fails and is reported.
    if (isNoSuchEntity(error)) {
      return undefined;
    }
    throw error;
  }
}

async function applyBucketPolicy(s3: S3Client, plan: BucketPolicyPlan): Promise<ContainmentResult> {
  const added: string[] = [];
  for (const { bucket, statement } of plan.statements) {
    if (await addBucketStatement(s3, bucket, statement)) {
      added.push(bucket);
    }
  }

  const placement = describePlacement(plan);
  if (added.length === 0) {
    return resultForPlan(plan, 'already-contained', `The ${placement} was already there; nothing changed.`);
  }
  return resultForPlan(plan, 'contained', `Added the ${placement}, which ${plan.effect}.`);
}

/** Removes exactly what `containment` added: its inline policy, or its statement from each bucket policy. */
export async function removeContainment(
  clients: ContainmentClients,
  containment: ContainmentResult,
): Promise<RemovalOutcome> {
  const { strategy, target, policyName } = containment;
  if (strategy === 'none' || !target || !policyName) {
    throw new Error(`Containment with strategy "${strategy}" names no policy to remove.`);
  }
  if (strategy === 'bucket-policy-deny') {
    return removeBucketStatements(clients.s3, target.split(','), policyName);
  }
  const entity = strategy === 'user-inline-deny' ? 'user' : 'role';
  return removeInlinePolicy(clients.iam, entity, target, policyName);
}

async function removeInlinePolicy(
  iam: IAMClient,
  entity: 'user' | 'role',
  name: string,
  policyName: string,
): Promise<RemovalOutcome> {
  try {
    if (entity === 'user') {
      await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: policyName }));
    } else {
      await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
    }
    return { changed: true, detail: `Removed inline policy ${policyName} from ${entity} ${name}.` };
  } catch (error) {
    if (isNoSuchEntity(error)) {
      return {
        changed: false,
        detail: `Inline policy ${policyName} was not on ${entity} ${name}; nothing changed.`,
      };
    }
    throw error;
  }
}

async function removeBucketStatements(
  s3: S3Client,
  buckets: readonly string[],
  sid: string,
): Promise<RemovalOutcome> {
  const removed: string[] = [];
  for (const bucket of buckets) {
    if (await removeBucketStatement(s3, bucket, sid)) {
      removed.push(bucket);
    }
  }

  if (removed.length === 0) {
    return { changed: false, detail: `Statement ${sid} was in no bucket policy; nothing changed.` };
  }
  return {
    changed: true,
    detail: `Removed statement ${sid} from the bucket policy of ${removed.join(', ')}.`,
  };
}
