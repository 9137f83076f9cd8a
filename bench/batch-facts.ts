/**
 * Request counts of the validator on one batch with a cold cache, the same batch again with a warm cache,
 * and the warm batch without its violations, next to the principal counts that bound them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import { preparePrincipalGrants, type DecisionContext } from '../src/domain/classify';
import type { Grant } from '../src/domain/types';
import { fetchGrantsByPrincipal } from '../src/grants/grant-repository';
import { collectPrincipals, decideRecords, principalsNeedingGrants } from '../src/validator/decide-records';
import { decodeKinesisRecord } from '../src/validator/decode-record';
import { GrantCache } from '../src/validator/grant-cache';
import { GRANTS_TABLE, MONITORED_BUCKETS, createValidatorDesign } from './designs';
import type { RequestCounter } from './measure';

export interface CacheScenarios {
  readonly records: number;
  /** Distinct principal keys in the batch. */
  readonly distinctPrincipals: number;
  /** Principal keys with at least one access that grants can decide. */
  readonly lookupPrincipals: number;
  /** Principal keys with at least one violation. */
  readonly violatingPrincipals: number;
  /**
   * Violating principal keys that also need a grant lookup, which the validator re-reads consistently.
   * Root, anonymous and unresolved principals are violating but need none.
   */
  readonly confirmedPrincipals: number;
  /** Distinct object keys of accesses to monitored buckets. */
  readonly distinctObjectKeys: number;
  readonly coldRequests: number;
  readonly warmRequests: number;
  readonly warmWithoutViolationsRequests: number;
}

export const BENCH_CONTEXT: DecisionContext = {
  decidedAt: '2025-03-01T11:00:00.000Z',
  monitoredBuckets: MONITORED_BUCKETS,
};

/** Reads the grants of every principal of the records once, for the pure CPU measurement. */
export async function preloadGrants(
  dynamoDb: DynamoDBClient,
  batch: KinesisStreamEvent,
): Promise<Map<string, readonly Grant[]>> {
  const decoded = batch.Records.map(decodeKinesisRecord);
  const keys = [...collectPrincipals(decoded).keys()];
  const results = await fetchGrantsByPrincipal({ client: dynamoDb, tableName: GRANTS_TABLE }, keys);
  const grants = new Map<string, readonly Grant[]>();
  for (const [key, result] of results) {
    if (!result.ok) {
      throw result.error;
    }
    grants.set(key, result.grants);
  }
  return grants;
}

export async function measureCacheScenarios(
  dynamoDb: DynamoDBClient,
  counter: RequestCounter,
  batch: KinesisStreamEvent,
): Promise<CacheScenarios> {
  const decoded = batch.Records.map(decodeKinesisRecord);
  const grants = await preloadGrants(dynamoDb, batch);
  const prepared = new Map([...grants].map(([key, list]) => [key, preparePrincipalGrants(key, list)]));
  const decisions = decideRecords(decoded, prepared, BENCH_CONTEXT);
  const violating = new Set(
    decisions
      .flat()
      .filter((decision) => decision.decision === 'violation')
      .map((decision) => decision.principalKey),
  );
  const withoutViolations: KinesisStreamEvent = {
    Records: batch.Records.filter(
      (_, index) => !decoded[index].accesses.some((access) => violating.has(access.principal.key)),
    ),
  };

  const design = createValidatorDesign(dynamoDb, new GrantCache());
  const requestsOf = async (event: KinesisStreamEvent): Promise<number> => {
    counter.reset();
    await design.run(event);
    return counter.total;
  };
  const objectKeys = new Set(
    decoded.flatMap((record) =>
      record.accesses
        .filter((access) => MONITORED_BUCKETS.has(access.bucket))
        .map((access) => `${access.bucket}/${access.key}`),
    ),
  );

  const lookupPrincipals = principalsNeedingGrants(decoded, BENCH_CONTEXT);

  return {
    records: batch.Records.length,
    distinctPrincipals: collectPrincipals(decoded).size,
    lookupPrincipals: lookupPrincipals.size,
    violatingPrincipals: violating.size,
    confirmedPrincipals: [...violating].filter((key) => lookupPrincipals.has(key)).length,
    distinctObjectKeys: objectKeys.size,
    coldRequests: await requestsOf(batch),
    warmRequests: await requestsOf(batch),
    warmWithoutViolationsRequests: await requestsOf(withoutViolations),
  };
}
