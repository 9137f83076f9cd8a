/**
 * Types shared by the triage workflow, the response workflow and the CLI. Pure data: no AWS imports.
 */
import type { Principal } from '../domain/types';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** `violation` incidents are contained; `break-glass-review` incidents are only reviewed. */
export type IncidentKind = 'violation' | 'break-glass-review';

export type IncidentStatus = 'open' | 'closed' | 'released';

export interface IncidentCounts {
  /** Decisions of type violation (or break-glass for review incidents). */
  readonly violations: number;
  readonly deniedAttempts: number;
  readonly reads: number;
  readonly writes: number;
  readonly deletes: number;
  readonly lists: number;
  /** Distinct objects touched (bucket and key). */
  readonly objects: number;
  /** Distinct key prefixes touched (bucket and the key's first two path segments). */
  readonly prefixes: number;
}

/** One incident per principal and window, stored in the incidents table. */
export interface Incident {
  /** Derived from the principal key and the window start, so that it is stable across retries. */
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly status: IncidentStatus;
  readonly principal: Principal;
  /** ISO 8601 UTC. */
  readonly openedAt: string;
  /** Violations before this time (ISO 8601 UTC) join this incident. */
  readonly windowEndsAt: string;
  readonly lastSeenAt: string;
  /** Earliest `eventTime` among the incident's decisions, ISO 8601 UTC. */
  readonly firstSeenAt?: string;
  /** When the report step closed the incident, ISO 8601 UTC; later violations open a new incident. */
  readonly closedAt?: string;
  /** When the containment step recorded its result, ISO 8601 UTC. */
  readonly containmentRecordedAt?: string;
  readonly severity: Severity;
  /** Severity score; see `scoreSeverity`. */
  readonly score: number;
  readonly counts: IncidentCounts;
  /**
   * True when the incident ran out of deduplication tokens and stopped counting new decisions, so every
   * count is a lower bound. Absent otherwise.
   */
  readonly countsAreLowerBounds?: boolean;
  /** True when new objects and prefixes were no longer tracked, so `objects` and `prefixes` are lower bounds. */
  readonly distinctCountsAreLowerBounds?: boolean;
  /** Distinct `bucket/prefix` strings with up to two folders, capped; alerts show only their first folder, never full keys. */
  readonly prefixes: readonly string[];
  /** Distinct `bucket/key` strings, capped; used only for investigation and the report. */
  readonly objectKeys: readonly string[];
  readonly decisionIds: readonly string[];
  /** Set by the containment step of the response workflow. */
  readonly containment?: ContainmentResult;
  /** Set by `phi-guard incidents release`. */
  readonly release?: IncidentRelease;
  /** Set by the report step. */
  readonly report?: ReportLocation;
}

/** Output of the triage Lambda: the incident after this batch's violations joined it. */
export interface TriageResult {
  readonly incident: Incident;
  /** True when this execution opened the incident, so it must start the response workflow. */
  readonly isNew: boolean;
  /**
   * SQL string literals for the response workflow's Athena history query, built by `historyQueryParameters`;
   * set by the triage Lambda.
   */
  readonly historyParameters?: readonly string[];
}

/** Record of the removal of an incident's containment: who, when and why. */
export interface IncidentRelease {
  readonly releasedAt: string;
  readonly releasedBy: string;
  readonly reason: string;
  /** The change the release made, in one sentence. */
  readonly detail: string;
}

/** Outcome of one investigation branch; a failed branch is recorded, never fatal. */
export type InvestigationOutcome =
  | { readonly status: 'completed'; readonly summary: string; readonly details?: unknown }
  | {
      readonly status: 'not-enabled' | 'timed-out' | 'failed';
      readonly summary: string;
      readonly error?: string;
    };

export interface InvestigationResults {
  readonly athena: InvestigationOutcome;
  readonly macie: InvestigationOutcome;
}

/** Location of a report and its link to the previous report in the chain. */
export interface ReportLocation {
  readonly bucket: string;
  readonly jsonKey: string;
  readonly markdownKey: string;
  /** SHA-256 (hex) of the JSON report. */
  readonly sha256: string;
  /** SHA-256 (hex) of the previous report in the chain; 64 zeros for the first report. */
  readonly previousSha256: string;
  /** Object Lock retain-until date, ISO 8601 UTC. */
  readonly retainUntil: string;
}

/** Outcome of containment, or the reason it changed nothing. */
export type ContainmentStatus =
  | 'contained'
  | 'already-contained'
  | 'dry-run'
  | 'skipped-protected'
  | 'skipped-monitor-mode'
  | 'skipped-review'
  | 'alert-only'
  | 'released';

/** Technique that contains a principal. */
export type ContainmentStrategy =
  'user-inline-deny' | 'role-token-issue-time-deny' | 'role-session-deny' | 'bucket-policy-deny' | 'none';

export interface ContainmentResult {
  readonly status: ContainmentStatus;
  readonly strategy: ContainmentStrategy;
  /** IAM user name, role name or bucket name that was changed. */
  readonly target?: string;
  /** Inline policy name or bucket policy statement `Sid`, fixed per incident so that a retry changes nothing. */
  readonly policyName?: string;
  /** The policy document that was (or in dry run would be) attached, as JSON text. */
  readonly policyDocument?: string;
  /** One sentence for the alert and the report. */
  readonly detail: string;
}
