/**
 * Writes grants into the grants table. A write never clears or postpones a revocation, and it changes a
 * revoked grant only to move a pending revocation (one later than now) earlier. It rejects a grantId that the
 * grantId index shows under another principal key. Revocations in effect stay permanent, and each grant id
 * names one grant.
 */
import type { Grant } from '../domain/types';
import { DuplicateGrantIdError, GrantsRejectedError, UnprocessedGrantsError } from './errors';
import { queryGrantIdIndex } from './grant-id-index';
import type { GrantsTable } from './grant-repository';
import { putUnlessRevoked, rejectedOutcome, type GrantOutcome } from './put-unless-revoked';
import { DEFAULT_RETRY, backoffDelayMs, mapWithConcurrency, sleep, type RetryOptions } from './retry';
import { GRANTS_PARTITION_KEY } from './table-definition';

export interface WriteGrantsOptions extends RetryOptions {
  /** Grants written at once. Each grant takes one Query of the grantId index and one PutItem. @default 8 */
  readonly concurrency?: number;
  /**
   * Clock that decides whether a stored revocation is pending (later than now) or in effect.
   * @default the system clock
   */
  readonly now?: () => Date;
}

/** A grant that was not written, with the reason and a message for the user that says what to do instead. */
export type GrantRejection = { readonly grantId: string; readonly message: string } & (
  | { readonly reason: 'revoked'; readonly revokedAt: string | undefined }
  | { readonly reason: 'other-principal'; readonly principalKeys: readonly string[] }
);

/** Outcome of `writeGrants`. Each grant id of the input is in exactly one list, in input order. */
export interface GrantWriteReport {
  /** Grants that had no item yet. */
  readonly created: readonly string[];
  /**
   * Grants whose stored item differed and was overwritten: active grants, and grants that move a pending
   * revocation earlier.
   */
  readonly replaced: readonly string[];
  /** Grants whose stored item was already identical, revoked or not. */
  readonly unchanged: readonly string[];
  readonly rejected: readonly GrantRejection[];
  /** Grants that were still throttled after every attempt, so nothing was written for them. */
  readonly unprocessed: readonly string[];
}

/**
 * Error names with which DynamoDB rejects a request for lack of capacity.
 * NOTE: the AWS SDK's default retry strategy (3 attempts in @smithy/core 3.41) retries these errors before
 * they reach this module, so one attempt of `writeGrantWithRetry` can send each request up to 3 times.
 */
const THROTTLING_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/**
 * Writes grants as `writeGrants` does and throws unless every grant is stored.
 * @returns the report, whose `rejected` and `unprocessed` lists are empty.
 * @throws UnprocessedGrantsError when throttling left grants unwritten, because running again can fix that,
 *   else GrantsRejectedError when grants were rejected. The other grants are written in both cases.
 */
export async function putGrants(
  table: GrantsTable,
  grants: readonly Grant[],
  options: WriteGrantsOptions = {},
): Promise<GrantWriteReport> {
  const report = await writeGrants(table, grants, options);
  if (report.unprocessed.length > 0) {
    throw new UnprocessedGrantsError(report.unprocessed, options.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  }
  if (report.rejected.length > 0) {
    throw new GrantsRejectedError(report.rejected);
  }
  return report;
}

/**
 * Writes each grant with a conditional PutItem, `concurrency` grants at once, and reports the outcome of each.
 * A grant is rejected and not written when its grantId is stored under another principal key, or when the
 * stored grant is revoked and differs from it, unless the grant moves a pending revocation earlier. A
 * throttled grant is retried with exponential backoff, up to `maxAttempts` tries in all, and is then
 * reported as unprocessed.
 * @throws DuplicateGrantIdError when two grants of the input share a grantId. Nothing is written then.
 * @throws the first other DynamoDB error, once the writes in flight have finished. Grants whose write had not
 *   started are not written.
 */
export async function writeGrants(
  table: GrantsTable,
  grants: readonly Grant[],
  options: WriteGrantsOptions = {},
): Promise<GrantWriteReport> {
  assertUniqueGrantIds(grants);
  const retry = { ...DEFAULT_RETRY, ...options };
  const now = options.now ?? (() => new Date());

  let failure: { readonly error: unknown } | undefined;
  const outcomes = await mapWithConcurrency(grants, options.concurrency ?? 8, async (grant) => {
    if (failure !== undefined) {
      return undefined;
    }
    try {
      return await writeGrantWithRetry(table, grant, retry, now);
    } catch (error) {
      failure ??= { error };
      return undefined;
    }
  });

  if (failure !== undefined) {
    throw failure.error;
  }
  return buildReport(outcomes.filter((outcome) => outcome !== undefined));
}

async function writeGrantWithRetry(
  table: GrantsTable,
  grant: Grant,
  retry: Required<RetryOptions>,
  now: () => Date,
): Promise<GrantOutcome> {
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    if (attempt > 1) {
      await sleep(backoffDelayMs(attempt - 1, retry));
    }
    try {
      return await writeGrant(table, grant, now);
    } catch (error) {
      if (!(error instanceof Error && THROTTLING_ERROR_NAMES.has(error.name))) {
        throw error;
      }
    }
  }
  return { status: 'unprocessed', grantId: grant.grantId };
}

async function writeGrant(table: GrantsTable, grant: Grant, now: () => Date): Promise<GrantOutcome> {
  const otherKeys = await otherPrincipalKeysOf(table, grant);
  if (otherKeys.length > 0) {
    return rejectedOutcome({
      grantId: grant.grantId,
      reason: 'other-principal',
      principalKeys: otherKeys,
      message:
        `Grant id ${grant.grantId} is already stored under principal key ${otherKeys.join(', ')}, and a grantId ` +
        'must be unique across principals, so this grant was not written. Give it a new grantId. To move a ' +
        'grant to another principal, revoke the stored grant and import the new one under a new grantId.',
    });
  }
  return putUnlessRevoked(table, grant, now);
}

async function otherPrincipalKeysOf(table: GrantsTable, grant: Grant): Promise<string[]> {
  // NOTE: the grantId index is eventually consistent. An item that another writer stored under another
  // principal key moments before can be missing here. Both items are then stored, and `revokeGrantById`
  // rejects the id as stored under several principal keys unless it is given the principal key.
  const items = await queryGrantIdIndex(table, grant.grantId);
  return items
    .map((item) => item[GRANTS_PARTITION_KEY]?.S ?? '(missing principalKey)')
    .filter((key) => key !== grant.principalKey);
}

function buildReport(outcomes: readonly GrantOutcome[]): GrantWriteReport {
  const grantIdsWith = (status: GrantOutcome['status']) =>
    outcomes.filter((outcome) => outcome.status === status).map((outcome) => outcome.grantId);
  return {
    created: grantIdsWith('created'),
    replaced: grantIdsWith('replaced'),
    unchanged: grantIdsWith('unchanged'),
    rejected: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.rejection] : [])),
    unprocessed: grantIdsWith('unprocessed'),
  };
}

function assertUniqueGrantIds(grants: readonly Grant[]): void {
  const principalKeysById = new Map<string, string[]>();
  for (const grant of grants) {
    const keys = principalKeysById.get(grant.grantId) ?? [];
    keys.push(grant.principalKey);
    principalKeysById.set(grant.grantId, keys);
  }
  for (const [grantId, keys] of principalKeysById) {
    if (keys.length > 1) {
      throw new DuplicateGrantIdError(grantId, keys);
    }
  }
}
