/**
 * The text summary that `replay` prints. Object keys can hold patient identifiers, so the terminal
 * shows only each key's first path segment, and the `--out` file has the full keys.
 */
import type { Decision } from '../../domain/types';
import { formatCount } from '../io';
import type { UnreadableFile } from './input-files';
import type { ReplayResult } from './run-replay';
import { DECISION_TYPES, type FailedRecord, type SkippedRecord } from './replay-tally';

/** Skipped records listed per reason before the rest are only counted. */
const SKIPPED_LISTED_PER_REASON = 20;

export interface SummaryOptions {
  /** Only totals and failures: no table, findings or skipped records. */
  readonly quiet: boolean;
  readonly outFile?: string;
}

/** Returns the summary as lines of text. */
export function formatReplaySummary(result: ReplayResult, options: SummaryOptions): string[] {
  const lines = [...formatTotals(result)];
  if (!options.quiet) {
    lines.push(...formatPrincipalTable(result), ...formatFindings(result.tally.findings));
    lines.push(...formatSkipped(result.tally.skipped));
  }
  lines.push(
    ...formatFailures(result.tally.failures),
    ...formatUnreadableFiles(result.tally.unreadableFiles),
    ...formatResponses(result),
    ...formatOutputs(result, options),
  );
  return lines;
}

/**
 * Formats the totals. Every record read is decided, skipped or failed, so those three add up to the
 * records replayed. Unreadable files are counted apart, because their records were never read.
 */
function formatTotals(result: ReplayResult): string[] {
  const { tally } = result;
  const width = Math.max(...DECISION_TYPES.map((type) => type.length));
  const readableFiles = result.filesRead - tally.unreadableFiles.length;
  const lines = [
    `Replayed ${formatCount(tally.recordsRead, 'record')} from ${formatCount(readableFiles, 'file')}.`,
    '',
    `Decisions: ${tally.decisionCount} (from ${formatCount(tally.recordsDecided, 'record')})`,
    ...DECISION_TYPES.map((type) => `  ${type.padEnd(width)}  ${String(tally.totals[type]).padStart(7)}`),
    `Skipped records: ${tally.skipped.length}`,
    `Failed records: ${tally.failures.length}`,
  ];
  if (tally.unreadableFiles.length > 0) {
    lines.push(`Unreadable files: ${tally.unreadableFiles.length}`);
  }
  return lines;
}

function formatPrincipalTable(result: ReplayResult): string[] {
  const principals = [...result.tally.principals.values()].sort((a, b) =>
    a.principalKey.localeCompare(b.principalKey),
  );
  if (principals.length === 0) {
    return [];
  }
  const header = ['PRINCIPAL', 'IDENTITY TYPE', ...DECISION_TYPES.map((type) => type.toUpperCase())];
  const rows = principals.map((tally) => [
    tally.principalKey,
    tally.identityType,
    ...DECISION_TYPES.map((type) => String(tally.counts[type])),
  ]);
  return ['', 'Decisions per principal:', ...formatTable(header, rows)];
}

/** Pads columns to their widest cell. The first two columns are left-aligned text and the rest right-aligned counts. */
/** Formats a table; the first `textColumns` columns are left-aligned text, the rest right-aligned numbers. */
function formatTable(header: string[], rows: string[][], textColumns = 2): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) =>
        column < textColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [header, ...rows].map((row) => `  ${format(row)}`);
}

function formatFindings(findings: readonly Decision[]): string[] {
  const lines: string[] = [];
  const byTime = [...findings].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  for (const type of ['violation', 'break-glass'] as const) {
    const matching = byTime.filter((decision) => decision.decision === type);
    if (matching.length > 0) {
      lines.push('', `${type === 'violation' ? 'Violations' : 'Break-glass accesses'} (${matching.length}):`);
      lines.push(...matching.map(formatFinding));
    }
  }
  return lines;
}

function formatFinding(decision: Decision): string {
  const prefix = keyPrefixOf(decision.key);
  return `  ${decision.eventTime}  ${decision.principal}  ${decision.eventName} ${decision.bucket}/${prefix}  ${decision.reason}`;
}

/**
 * Returns the key's first path segment followed by `...` (`patients/...`), or `...` for a key without
 * a slash. Deeper segments often name a patient, such as `patients/MRN-00482913/`.
 */
export function keyPrefixOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '...' : `${key.slice(0, slash + 1)}...`;
}

function formatSkipped(skipped: readonly SkippedRecord[]): string[] {
  if (skipped.length === 0) {
    return [];
  }
  const lines = ['', `Skipped records (${skipped.length}):`];
  for (const reason of [...new Set(skipped.map((record) => record.reason))].sort()) {
    const records = skipped.filter((record) => record.reason === reason);
    lines.push(`  ${reason}: ${formatCount(records.length, 'record')}`);
    for (const record of records.slice(0, SKIPPED_LISTED_PER_REASON)) {
      lines.push(
        `    ${record.file} record ${record.position} (${record.eventName ?? 'no eventName'}): ${record.detail}`,
      );
    }
    if (records.length > SKIPPED_LISTED_PER_REASON) {
      lines.push(`    ... and ${records.length - SKIPPED_LISTED_PER_REASON} more with this reason`);
    }
  }
  return lines;
}

function formatFailures(failures: readonly FailedRecord[]): string[] {
  if (failures.length === 0) {
    return [];
  }
  const lines = ['', `Failed records (${failures.length}), which were not decided:`];
  for (const failure of failures) {
    lines.push(formatFailedRecord(failure));
  }
  return lines;
}

/**
 * Formats the indented line that lists one failed record: file, position, event id when known, and reason.
 * `reconcile` lists the records it cannot compare with it, so both commands print the same line.
 */
export function formatFailedRecord(failure: FailedRecord): string {
  const eventId = failure.eventId === undefined ? '' : ` (eventID ${failure.eventId})`;
  return `  ${failure.file} record ${failure.position}${eventId}: ${failure.reason}`;
}

function formatUnreadableFiles(files: readonly UnreadableFile[]): string[] {
  if (files.length === 0) {
    return [];
  }
  const lines = ['', `Unreadable files (${files.length}), whose records were not read:`];
  for (const { file, reason } of files) {
    lines.push(`  ${file}: ${reason}`);
  }
  return lines;
}

function formatOutputs(result: ReplayResult, options: SummaryOptions): string[] {
  const lines = [
    '',
    `Triage inputs: ${result.triageInputs.length} (one per principal and batch with violations or break-glass accesses).`,
  ];
  if (options.outFile !== undefined) {
    lines.push(
      `Decisions written to ${options.outFile} (${formatCount(result.tally.decisionCount, 'line')}, full object keys).`,
    );
  }
  if (result.responses !== undefined) {
    const reports = result.responses.filter((response) => response.reportPaths.length > 0).length;
    lines.push(
      `Reports: ${formatCount(reports, 'incident report')} (JSON, Markdown and the Object Lock retention each would get) written under ${result.reportsDirectory}.`,
    );
  }
  return lines;
}

/** Formats one line per triage input: the incident it opened or joined, and the response's outcome. */
function formatResponses(result: ReplayResult): string[] {
  if (result.responses === undefined || result.responses.length === 0) {
    return [];
  }
  const header = ['INCIDENT', 'PRINCIPAL', 'TRIAGE', 'CONTAINMENT (DRY RUN)', 'RESPONSE', 'REPORT'];
  const rows = result.responses.map((response) => [
    response.incidentId,
    response.principalKey,
    response.isNew ? 'opened' : 'joined',
    response.containment === undefined
      ? '-'
      : `${response.containment.status} (${response.containment.strategy})`,
    response.responseStatus ?? response.responseStart,
    response.reportPaths.find((path) => path.endsWith('.md')) ?? '-',
  ]);
  const policies = result.containmentLog.filter((line) =>
    line.includes('Policy that containment would attach'),
  );
  const errors = result.responses
    .filter((response) => response.responseError !== undefined)
    .map((response) => `  Response of incident ${response.incidentId} failed: ${response.responseError}`);
  return [
    '',
    `Incidents (local triage and response workflows, containment as a dry run):`,
    ...formatTable(header, rows, header.length),
    ...errors,
    ...(policies.length > 0
      ? [
          '',
          ...policies.slice(0, 1),
          `  [${formatCount(policies.length - 1, 'more policy', 'more policies')} in the reports]`,
        ]
      : []),
  ];
}
