import type { Decision, DecisionType } from '../domain/types';
import type { BatchSummary } from './batch-summary';
import type { DecodedRecord } from './decode-record';
import type { DeliveryResult } from './deliver-decisions';
import type { BatchGrants } from './grant-lookup';

export interface BatchFacts {
  readonly records: readonly DecodedRecord[];
  readonly decisions: readonly Decision[];
  readonly batchGrants: BatchGrants;
  readonly delivery: DeliveryResult;
  readonly failedRecords: number;
}

export function summarizeBatch(facts: BatchFacts): BatchSummary {
  const decisionsByType: Partial<Record<DecisionType, number>> = {};
  for (const decision of facts.decisions) {
    decisionsByType[decision.decision] = (decisionsByType[decision.decision] ?? 0) + 1;
  }

  return {
    recordsReceived: facts.records.length,
    invalidRecords: sum(facts.records.map((record) => record.invalid.length)),
    skippedRecords: sum(facts.records.map((record) => record.skipped.length)),
    decisionsByType,
    grantLookups: facts.batchGrants.lookups,
    grantCacheHits: facts.batchGrants.cacheHits,
    lookupFailures: facts.batchGrants.failures.size,
    triageStarts: facts.delivery.triageStarts,
    triageFailures: facts.delivery.triageFailures,
    publishFailures: facts.delivery.publishFailures,
    failedRecords: facts.failedRecords,
    decisionLagSeconds: decisionLags(facts.decisions),
  };
}

/** Returns one lag per CloudTrail record (event id), from its eventTime to the decision, with negative values raised to 0. */
function decisionLags(decisions: readonly Decision[]): number[] {
  const lags = new Map<string, number>();
  for (const decision of decisions) {
    if (!lags.has(decision.eventId)) {
      const lagMs = Date.parse(decision.decidedAt) - Date.parse(decision.eventTime);
      lags.set(decision.eventId, Math.max(0, lagMs) / 1000);
    }
  }
  return [...lags.values()];
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
