/**
 * The running totals of a replay: decisions per type and per principal, the findings to list, every
 * record that was skipped or failed, with its source file and position, and every unreadable file.
 */
import type { Decision, DecisionType, IdentityType } from '../../domain/types';
import type { UnreadableFile } from './input-files';

export const DECISION_TYPES: readonly DecisionType[] = [
  'authorized',
  'violation',
  'denied',
  'break-glass',
  'service',
  'out-of-scope',
];

export type DecisionCounts = Record<DecisionType, number>;

/** Decisions of one principal key. */
export interface PrincipalTally {
  readonly principalKey: string;
  readonly identityType: IdentityType;
  readonly counts: DecisionCounts;
}

/** A valid record that contains nothing to decide, such as a management event. */
export interface SkippedRecord {
  readonly file: string;
  readonly position: number;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly reason: string;
  readonly detail: string;
}

/** A record that the validator reported as a batch item failure, or that could not be sent to it. */
export interface FailedRecord {
  readonly file: string;
  readonly position: number;
  readonly eventId?: string;
  readonly reason: string;
}

export function emptyCounts(): DecisionCounts {
  return { authorized: 0, violation: 0, denied: 0, 'break-glass': 0, service: 0, 'out-of-scope': 0 };
}

/** Accumulates decisions without keeping them all, so that a long replay needs memory only for its findings. */
export class ReplayTally {
  readonly totals = emptyCounts();
  readonly principals = new Map<string, PrincipalTally>();
  /** Decisions of type violation and break-glass, in the order they were taken. */
  readonly findings: Decision[] = [];
  readonly skipped: SkippedRecord[] = [];
  readonly failures: FailedRecord[] = [];
  /** Files that could not be read or parsed. Their records are not counted in `recordsRead`. */
  readonly unreadableFiles: UnreadableFile[] = [];
  recordsRead = 0;
  recordsDecided = 0;

  addDecisions(decisions: readonly Decision[]): void {
    for (const decision of decisions) {
      this.totals[decision.decision] += 1;
      this.principalTally(decision).counts[decision.decision] += 1;
      if (decision.decision === 'violation' || decision.decision === 'break-glass') {
        this.findings.push(decision);
      }
    }
  }

  /**
   * Sorts the failed records by file, in the order of `files`, and by position. Records that fail before
   * the validator (JSON lines that do not parse, values that are not objects) are found while a file is
   * read, and the validator's failures only when their batch runs, so they arrive out of order.
   */
  sortFailures(files: readonly string[]): void {
    const fileIndex = new Map(files.map((file, index) => [file, index]));
    const indexOf = (failure: FailedRecord) => fileIndex.get(failure.file) ?? files.length;
    this.failures.sort((a, b) => indexOf(a) - indexOf(b) || a.position - b.position);
  }

  get decisionCount(): number {
    return DECISION_TYPES.reduce((sum, type) => sum + this.totals[type], 0);
  }

  private principalTally(decision: Decision): PrincipalTally {
    let tally = this.principals.get(decision.principalKey);
    if (tally === undefined) {
      tally = {
        principalKey: decision.principalKey,
        identityType: decision.identityType,
        counts: emptyCounts(),
      };
      this.principals.set(decision.principalKey, tally);
    }
    return tally;
  }
}
