import type { Decision, DecisionType, Principal, TriageInput } from '../domain/types';

/** Decision types that start triage on their own. */
const TRIAGE_TRIGGERS: ReadonlySet<DecisionType> = new Set(['violation', 'break-glass']);

/** Decision types that go to triage along with a trigger of the same principal (denied attempts raise severity). */
const TRIAGE_DECISIONS: ReadonlySet<DecisionType> = new Set(['violation', 'break-glass', 'denied']);

/**
 * Groups one batch's decisions into one triage input per principal key. A principal gets an input only
 * when it has at least one violation or break-glass decision; its denied decisions from the batch join it.
 * @param principals the principal of every key that appears in `decisions`.
 */
export function buildTriageInputs(
  decisions: readonly Decision[],
  principals: ReadonlyMap<string, Principal>,
): TriageInput[] {
  const byPrincipal = new Map<string, Decision[]>();
  for (const decision of decisions) {
    if (!TRIAGE_DECISIONS.has(decision.decision)) {
      continue;
    }
    const group = byPrincipal.get(decision.principalKey) ?? [];
    group.push(decision);
    byPrincipal.set(decision.principalKey, group);
  }

  const inputs: TriageInput[] = [];
  for (const [principalKey, group] of byPrincipal) {
    if (!group.some((decision) => TRIAGE_TRIGGERS.has(decision.decision))) {
      continue;
    }
    const principal = principals.get(principalKey);
    if (principal === undefined) {
      throw new Error(
        `No principal was recorded for key ${principalKey}; every decided access must register it.`,
      );
    }
    inputs.push({ principal, decisions: group });
  }
  return inputs;
}
