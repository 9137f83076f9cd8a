/**
 * The two branches of the response workflow's investigation. Each ends in an `InvestigationOutcome`
 * (`completed`, `failed`, `timed-out` or `not-enabled`), also when its service fails, so that the
 * report step always runs.
 */
import { HISTORY_STATES } from './response-investigation-athena';
import { CLASSIFICATION_STATES } from './response-investigation-macie';

export {
  buildHistoryQuery,
  historyQuery,
  HISTORY_POLL_SECONDS,
  HISTORY_ROW_LIMIT,
  type HistoryQueryOptions,
} from './response-investigation-athena';
export {
  buildClassificationJob,
  CLASSIFICATION_POLL_SECONDS,
  type ClassificationJobOptions,
} from './response-investigation-macie';

export const INVESTIGATION_STATES = { ...HISTORY_STATES, ...CLASSIFICATION_STATES } as const;
