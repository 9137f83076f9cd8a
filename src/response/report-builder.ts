/**
 * Incident reports: a JSON record whose SHA-256 joins the report hash chain, and a readable Markdown copy.
 * Pure: no AWS imports.
 */
import { canonicalJson, sha256Hex } from './canonical-json';
import { renderReportMarkdown } from './report-markdown';
import { buildTimeline, type TimelineEntry } from './report-timeline';
import type { ContainmentResult, Incident, IncidentCounts, InvestigationResults } from './types';

export const REPORT_SCHEMA_VERSION = 1;

/** Counts of the incident's decisions, and whether the listed ids and keys are complete. */
export interface DecisionsSummary {
  /** Every decision counted once: accesses by action plus denied attempts. */
  readonly total: number;
  readonly violations: number;
  readonly deniedAttempts: number;
  readonly byAction: {
    readonly read: number;
    readonly write: number;
    readonly delete: number;
    readonly list: number;
  };
  readonly distinctObjects: number;
  readonly distinctPrefixes: number;
  /** False when the incident counted more objects than it lists in `objectKeys`. */
  readonly objectKeysComplete: boolean;
  /** False when the incident counted more decisions than it lists in `decisionIds`. */
  readonly decisionIdsComplete: boolean;
  readonly prefixesComplete: boolean;
}

/** The JSON report. Its canonical JSON is the stored file, and the file's SHA-256 links the next report. */
export interface IncidentReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly reportType: 'phi-guard-incident-report';
  readonly generatedAt: string;
  /** SHA-256 (hex) of the previous report's JSON file, or 64 zeros for the first report. */
  readonly previousSha256: string;
  readonly incident: Omit<Incident, 'report'>;
  readonly timeline: readonly TimelineEntry[];
  readonly decisionsSummary: DecisionsSummary;
  readonly containment: ContainmentResult;
  readonly investigation: InvestigationResults;
}

export interface ReportInput {
  readonly incident: Incident;
  readonly containment: ContainmentResult;
  readonly investigation: InvestigationResults;
  readonly previousSha256: string;
  /** ISO 8601 UTC. Retries pass the same time, so that they rebuild the same bytes. */
  readonly generatedAt: string;
}

/** A built report: the JSON file's text, its SHA-256 and the Markdown copy. */
export interface BuiltReport {
  readonly report: IncidentReport;
  /** Canonical JSON, the exact bytes stored and hashed. */
  readonly json: string;
  /** SHA-256 (hex) of `json` as UTF-8. */
  readonly sha256: string;
  readonly markdown: string;
}

/** Builds the JSON report, its SHA-256 and the Markdown copy. The same input always gives the same bytes. */
export function buildReport(input: ReportInput): BuiltReport {
  const { report: _report, ...incident } = input.incident;
  const report: IncidentReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportType: 'phi-guard-incident-report',
    generatedAt: input.generatedAt,
    previousSha256: input.previousSha256,
    incident,
    timeline: buildTimeline(input.incident, input.containment, input.generatedAt),
    decisionsSummary: summarizeDecisions(input.incident),
    containment: input.containment,
    investigation: input.investigation,
  };

  const json = canonicalJson(report);
  const sha256 = sha256Hex(json);
  return { report, json, sha256, markdown: renderReportMarkdown(report, sha256) };
}

/** Object keys of an incident's report files: `reports/YYYY/MM/DD/INCIDENT_ID.json` and `.md` (UTC date). */
export function reportKeys(
  incidentId: string,
  generatedAt: string,
): { jsonKey: string; markdownKey: string } {
  const day = new Date(generatedAt).toISOString().slice(0, 10).replaceAll('-', '/');
  const base = `reports/${day}/${incidentId}`;
  return { jsonKey: `${base}.json`, markdownKey: `${base}.md` };
}

function summarizeDecisions(incident: Incident): DecisionsSummary {
  const counts: IncidentCounts = incident.counts;
  const total = counts.reads + counts.writes + counts.deletes + counts.lists + counts.deniedAttempts;

  return {
    total,
    violations: counts.violations,
    deniedAttempts: counts.deniedAttempts,
    byAction: { read: counts.reads, write: counts.writes, delete: counts.deletes, list: counts.lists },
    distinctObjects: counts.objects,
    distinctPrefixes: counts.prefixes,
    objectKeysComplete: incident.objectKeys.length >= counts.objects,
    decisionIdsComplete: incident.decisionIds.length >= total,
    prefixesComplete: incident.prefixes.length >= counts.prefixes,
  };
}
