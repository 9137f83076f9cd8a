/**
 * The conditional PutItem of one grant. It never clears or postpones a stored revocation, and it changes a
 * revoked grant only to move a pending revocation (one later than now) earlier.
 */
import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import { isRevocationPending } from '../domain/grants';
import { parseIsoTime } from '../domain/iso-time';
import type { Grant } from '../domain/types';
import { getGrantItem } from './get-grant-item';
import { grantToItem, type GrantItem } from './grant-item';
import type { GrantsTable } from './grant-repository';
import type { GrantRejection } from './grant-writer';

/** Outcome of writing one grant. */
export type GrantOutcome =
  | { readonly status: 'created' | 'replaced' | 'unchanged' | 'unprocessed'; readonly grantId: string }
  | { readonly status: 'rejected'; readonly grantId: string; readonly rejection: GrantRejection };

/**
 * Puts the grant unless the stored item is revoked, and otherwise writes it only as `writeOverRevocation`
 * allows. DynamoDB checks each condition and writes in one step, so a revocation made during the write is
 * kept as well.
 */
export async function putUnlessRevoked(
  table: GrantsTable,
  grant: Grant,
  now: () => Date,
): Promise<GrantOutcome> {
  const item = grantToItem(grant);
  try {
    const stored = await putItemIf(table, item, 'attribute_not_exists(revokedAt)');
    return { status: compareStoredItem(stored, item), grantId: grant.grantId };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return writeOverRevocation(table, grant, item, now().getTime());
    }
    throw error;
  }
}

/** Puts the item when `condition` holds, and returns the item it replaced. */
async function putItemIf(
  table: GrantsTable,
  item: GrantItem,
  condition: string,
  values?: Record<string, AttributeValue>,
): Promise<GrantItem | undefined> {
  const output = await table.client.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: item,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_OLD',
    }),
  );
  return output.Attributes;
}

function compareStoredItem(
  stored: GrantItem | undefined,
  item: GrantItem,
): 'created' | 'replaced' | 'unchanged' {
  if (stored === undefined) {
    return 'created';
  }
  return isDeepStrictEqual(stored, item) ? 'unchanged' : 'replaced';
}

/**
 * Writes a grant over a revoked one only when that moves a pending revocation earlier. Re-importing the
 * stored item exactly changes nothing, and any other grant is rejected.
 */
async function writeOverRevocation(
  table: GrantsTable,
  grant: Grant,
  item: GrantItem,
  nowMs: number,
): Promise<GrantOutcome> {
  const stored = await getGrantItem(table, grant.principalKey, grant.grantId);
  if (stored !== undefined && isDeepStrictEqual(stored, item)) {
    return { status: 'unchanged', grantId: grant.grantId };
  }

  const storedRevokedAt = stored?.revokedAt?.S;
  if (storedRevokedAt !== undefined && movesPendingRevocationEarlier(storedRevokedAt, grant, nowMs)) {
    return replacePendingRevocation(table, grant, item, storedRevokedAt, nowMs);
  }
  return rejectedOutcome(revokedRejection(grant.grantId, storedRevokedAt, nowMs));
}

function movesPendingRevocationEarlier(storedRevokedAt: string, grant: Grant, nowMs: number): boolean {
  if (grant.revokedAt === undefined || !isRevocationPending(storedRevokedAt, nowMs)) {
    return false;
  }
  const revokedAtMs = parseIsoTime(grant.revokedAt);
  return revokedAtMs !== undefined && isRevocationPending(storedRevokedAt, revokedAtMs);
}

/**
 * Puts the grant on condition that the item still has the `revokedAt` that was read. The condition tests
 * the string for equality because stored times differ in format, so comparing strings would not compare
 * times.
 */
async function replacePendingRevocation(
  table: GrantsTable,
  grant: Grant,
  item: GrantItem,
  storedRevokedAt: string,
  nowMs: number,
): Promise<GrantOutcome> {
  try {
    await putItemIf(table, item, 'revokedAt = :stored', { ':stored': { S: storedRevokedAt } });
    return { status: 'replaced', grantId: grant.grantId };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) {
      throw error;
    }
  }

  // Another writer changed the revocation after it was read, so the rejection names the time stored now.
  const current = await getGrantItem(table, grant.principalKey, grant.grantId);
  return rejectedOutcome(revokedRejection(grant.grantId, current?.revokedAt?.S, nowMs));
}

function revokedRejection(grantId: string, revokedAt: string | undefined, nowMs: number): GrantRejection {
  const message =
    revokedAt !== undefined && isRevocationPending(revokedAt, nowMs)
      ? `Grant ${grantId} is scheduled to be revoked at ${revokedAt}, and an import never clears or postpones a ` +
        'revocation, so the stored grant was kept. To end the grant now, run phi-guard grants revoke ' +
        `${grantId}, or import it with a revokedAt that has passed.`
      : `Grant ${grantId} was revoked at ${revokedAt ?? 'an unknown time'}, and revocations are permanent, ` +
        'so the stored grant was kept. Give the new grant a new grantId.';
  return { grantId, reason: 'revoked', revokedAt, message };
}

export function rejectedOutcome(rejection: GrantRejection): GrantOutcome {
  return { status: 'rejected', grantId: rejection.grantId, rejection };
}
