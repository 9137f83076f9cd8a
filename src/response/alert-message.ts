/**
 * Alert text for the SNS topic of security alerts. Pure: no AWS imports.
 *
 * Alerts name the principal, the incident, its severity, counts and key prefixes, and the containment
 * result. They never contain object keys, because keys can carry patient identifiers. The report lists them.
 */
import { lowerBoundNotice } from './report-markdown';
import type { ContainmentResult, Incident, ReportLocation } from './types';

export type AlertKind = 'incident' | 'escalation' | 'report';

export interface AlertInput {
  readonly incident: Incident;
  readonly containment: ContainmentResult;
  /** `escalation` when containment failed, `report` when the report is written. @default 'incident' */
  readonly kind?: AlertKind;
  /** Required for `report` alerts. */
  readonly report?: ReportLocation;
  /** The error that the workflow caught, such as a Step Functions `{ Error, Cause }` object. */
  readonly error?: unknown;
}

/** Subject and message of an SNS Publish request. */
export interface AlertMessage {
  readonly subject: string;
  readonly message: string;
}

/** SNS requires subjects of printable ASCII, shorter than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;
const MAX_ERROR_LENGTH = 1_000;
const MIN_REDACTED_LENGTH = 4;

/**
 * Builds the alert for a new incident, an escalation (containment failed) or a finished report.
 * @throws Error for a `report` alert without `report`.
 */
export function formatAlert(input: AlertInput): AlertMessage {
  const kind = input.kind ?? 'incident';
  if (kind === 'report' && input.report === undefined) {
    throw new Error(`Report alert of incident ${input.incident.incidentId} has no report location.`);
  }

  // Containment details and errors are free text from other steps, so listed object keys are removed from them.
  const redact = (text: string) => redactObjectKeys(text, input.incident.objectKeys);
  const message = [
    ...headline(kind, input.incident),
    ...incidentLines(input.incident),
    ...containmentLines(input.containment, redact),
    ...(kind === 'escalation' ? escalationLines(input.error, redact) : []),
    ...(input.report === undefined ? [] : reportLines(input.report)),
    '',
    'Object keys are left out of alerts because they can contain patient identifiers; the report lists them.',
  ].join('\n');

  return { subject: toSubject(subjectText(kind, input.incident)), message };
}

function subjectText(kind: AlertKind, incident: Incident): string {
  const principal = shortPrincipal(incident.principal.arn || incident.principal.key);
  if (kind === 'escalation') return `[phi-guard] ESCALATION: containment failed for ${principal}`;
  if (kind === 'report') return `[phi-guard] Report written for incident ${incident.incidentId}`;
  if (incident.kind === 'break-glass-review')
    return `[phi-guard] Break-glass access to review by ${principal}`;
  return `[phi-guard] ${incident.severity.toUpperCase()} PHI access violation by ${principal}`;
}

function headline(kind: AlertKind, incident: Incident): string[] {
  const lines: Record<AlertKind, string> = {
    incident:
      incident.kind === 'violation'
        ? 'phi-guard found access to PHI that no grant allowed.'
        : 'phi-guard recorded access to PHI under a break-glass grant, which needs a review.',
    escalation:
      'Containment of this incident failed. Contain the principal by hand and check the response workflow.',
    report: 'The incident report is written to the evidence bucket under Object Lock.',
  };
  return [lines[kind], ''];
}

function incidentLines(incident: Incident): string[] {
  const { counts, principal } = incident;
  return [
    `Incident: ${incident.incidentId}`,
    `Kind: ${incident.kind}`,
    `Severity: ${incident.severity} (score ${incident.score})`,
    `Status: ${incident.status}`,
    `Principal: ${principal.key}`,
    `Principal ARN: ${principal.arn}`,
    `Identity type: ${principal.type}; account: ${principal.accountId ?? 'none'}; cross-account: ${principal.crossAccount ? 'yes' : 'no'}`,
    `Opened: ${incident.openedAt}; last access: ${incident.lastSeenAt}; window ends: ${incident.windowEndsAt}`,
    `Counts: ${counts.violations} violations, ${counts.deniedAttempts} denied attempts, ${counts.reads} reads, ` +
      `${counts.writes} writes, ${counts.deletes} deletes, ${counts.lists} lists, ${counts.objects} objects ` +
      `in ${counts.prefixes} key prefixes`,
    ...lowerBoundNotice(incident).filter((line) => line !== ''),
    'Top-level key prefixes:',
    ...topLevelPrefixes(incident).map((prefix) => `  - ${prefix}`),
    '',
  ];
}

function containmentLines(containment: ContainmentResult, redact: (text: string) => string): string[] {
  return [
    `Containment: ${containment.status} (${containment.strategy})`,
    ...(containment.target === undefined ? [] : [`Target: ${containment.target}`]),
    ...(containment.policyName === undefined ? [] : [`Policy: ${containment.policyName}`]),
    `Detail: ${redact(containment.detail)}`,
  ];
}

function escalationLines(error: unknown, redact: (text: string) => string): string[] {
  return ['', `Error: ${redact(describeError(error)).slice(0, MAX_ERROR_LENGTH)}`];
}

function reportLines(report: ReportLocation): string[] {
  return [
    '',
    `Report (JSON): s3://${report.bucket}/${report.jsonKey}`,
    `Report (Markdown): s3://${report.bucket}/${report.markdownKey}`,
    `SHA-256: ${report.sha256}`,
    `Previous report SHA-256: ${report.previousSha256}`,
    `Retained until: ${report.retainUntil}`,
  ];
}

/**
 * Returns the distinct `bucket/folder/` prefixes of the incident. Alerts travel by e-mail, and deeper
 * folders often name a patient (`patients/MRN-1/`), so only the first folder is shown. The report and
 * the incident keep the two-folder prefixes.
 */
function topLevelPrefixes(incident: Incident): string[] {
  const objectKeys = new Set(incident.objectKeys);
  const prefixes = incident.prefixes.map((prefix) => {
    const [bucket, folder] = prefix.split('/');
    return folder === undefined || folder === '' ? `${bucket}/` : `${bucket}/${folder}/`;
  });
  return [...new Set(prefixes)].filter((prefix) => !objectKeys.has(prefix));
}

/** Reads the message of an Error, of a Step Functions `{ Error, Cause }` object or of a Lambda error cause. */
function describeError(error: unknown): string {
  if (error === undefined || error === null) return 'no error details were passed';
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'string') return error;

  const { Error: name, Cause: cause } = error as { Error?: unknown; Cause?: unknown };
  if (typeof name === 'string') return typeof cause === 'string' ? `${name}: ${causeMessage(cause)}` : name;
  return JSON.stringify(error);
}

function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/**
 * Replaces every listed `bucket/key`, and every such key without its bucket, with a placeholder. Keys shorter
 * than `MIN_REDACTED_LENGTH` stay, because replacing them would garble ordinary words.
 */
function redactObjectKeys(text: string, objectKeys: readonly string[]): string {
  const needles = objectKeys.flatMap((objectKey) => [objectKey, objectKey.slice(objectKey.indexOf('/') + 1)]);
  return needles
    .filter((needle) => needle.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length)
    .reduce((redacted, needle) => redacted.replaceAll(needle, '[object key removed]'), text);
}

function shortPrincipal(arnOrKey: string): string {
  const name = arnOrKey.split(':').at(-1) ?? arnOrKey;
  return name.length > 0 ? name : arnOrKey;
}

/** Keeps printable ASCII only and shortens the subject to `MAX_SUBJECT_LENGTH` characters. */
export function toSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}
