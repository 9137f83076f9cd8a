/**
 * Severity scoring of incidents. Pure: no AWS imports.
 */
import type { Principal } from '../domain/types';
import type { IncidentCounts, Severity } from './types';

export interface SeverityScore {
  readonly score: number;
  readonly severity: Severity;
}

/** Minimum score of each severity, highest first. */
export const SEVERITY_THRESHOLDS: readonly { readonly severity: Severity; readonly minScore: number }[] = [
  { severity: 'critical', minScore: 14 },
  { severity: 'high', minScore: 8 },
  { severity: 'medium', minScore: 4 },
  { severity: 'low', minScore: 0 },
];

/**
 * Scores an incident from its counts and principal.
 *
 * score = objects (1 for 1-9, 3 for 10-99, 6 for 100-999, 10 for 1000 or more)
 *   + 2 per distinct prefix after the first (at most 6)
 *   + 3 when anything was written + 5 when anything was deleted
 *   + 2 when writes and deletes together outnumber reads
 *   + denied attempts (1 for 1-4, 3 for 5 or more)
 *   + 5 for a root or anonymous principal, 4 for a principal from another account.
 * Severity: 0-3 low, 4-7 medium, 8-13 high, 14 or more critical.
 */
export function scoreSeverity(counts: IncidentCounts, principal: Principal): SeverityScore {
  const score =
    scoreObjects(counts.objects) +
    scorePrefixes(counts.prefixes) +
    scoreChanges(counts) +
    scoreDenied(counts.deniedAttempts) +
    scorePrincipal(principal);

  return { score, severity: severityOf(score) };
}

/** Maps a score to its severity with `SEVERITY_THRESHOLDS`. */
export function severityOf(score: number): Severity {
  const match = SEVERITY_THRESHOLDS.find((threshold) => score >= threshold.minScore);
  return match?.severity ?? 'low';
}

function scoreObjects(objects: number): number {
  if (objects >= 1000) return 10;
  if (objects >= 100) return 6;
  if (objects >= 10) return 3;
  return objects >= 1 ? 1 : 0;
}

function scorePrefixes(prefixes: number): number {
  return Math.min(Math.max(prefixes - 1, 0) * 2, 6);
}

function scoreChanges(counts: IncidentCounts): number {
  const changes = counts.writes + counts.deletes;
  let score = 0;
  if (counts.writes > 0) score += 3;
  if (counts.deletes > 0) score += 5;
  if (changes > counts.reads) score += 2;
  return score;
}

function scoreDenied(deniedAttempts: number): number {
  if (deniedAttempts >= 5) return 3;
  return deniedAttempts >= 1 ? 1 : 0;
}

function scorePrincipal(principal: Principal): number {
  if (principal.type === 'Root' || principal.type === 'Anonymous') return 5;
  return principal.crossAccount ? 4 : 0;
}
