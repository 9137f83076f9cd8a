/**
 * Validation of triage inputs. Pure: no AWS imports.
 */
import { ACCESS_ACTIONS, type Decision, type TriageInput } from '../domain/types';
import { InvalidTriageInputError } from './errors';
import { MAX_DECISIONS_PER_INPUT, incidentKindFor, selectTriageDecisions } from './incident-state';

/**
 * Checks the shape of a triage input and returns its violation, denied and break-glass decisions, without
 * repeated ids and ordered by event time.
 * @throws InvalidTriageInputError naming the first field that is missing or invalid.
 */
export function validateTriageInput(input: TriageInput): Decision[] {
  const principalKey: unknown = input?.principal?.key;
  if (typeof principalKey !== 'string' || principalKey === '') {
    throw new InvalidTriageInputError('Triage input has no principal.key; expected a TriageInput object.');
  }
  if (!Array.isArray(input.decisions)) {
    throw new InvalidTriageInputError(`Triage input of principal ${principalKey} has no decisions array.`);
  }

  input.decisions.forEach((decision, index) => validateDecision(decision, index, principalKey));
  const decisions = selectTriageDecisions(input.decisions);
  if (decisions.length > MAX_DECISIONS_PER_INPUT) {
    throw new InvalidTriageInputError(
      `Triage input of principal ${principalKey} has ${decisions.length} decisions; ` +
        `split it into inputs of at most ${MAX_DECISIONS_PER_INPUT}.`,
    );
  }
  if (incidentKindFor(decisions) === undefined) {
    throw new InvalidTriageInputError(
      `Triage input of principal ${principalKey} has no violation or break-glass decision; nothing opens an incident.`,
    );
  }
  return decisions;
}

function validateDecision(decision: Decision, index: number, principalKey: string): void {
  const where = `Decision ${index} of principal ${principalKey}`;
  for (const field of ['decisionId', 'eventTime', 'bucket', 'key', 'principalKey'] as const) {
    if (typeof decision?.[field] !== 'string') {
      throw new InvalidTriageInputError(`${where} has no ${field} string.`);
    }
  }
  if (decision.principalKey !== principalKey) {
    throw new InvalidTriageInputError(`${where} belongs to principal ${decision.principalKey}.`);
  }
  if (Number.isNaN(Date.parse(decision.eventTime))) {
    throw new InvalidTriageInputError(
      `${where} has an invalid eventTime ${JSON.stringify(decision.eventTime)}.`,
    );
  }
  if (!ACCESS_ACTIONS.includes(decision.action)) {
    throw new InvalidTriageInputError(
      `${where} has action ${JSON.stringify(decision.action)}; expected one of ${ACCESS_ACTIONS.join(', ')}.`,
    );
  }
}
