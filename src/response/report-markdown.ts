/**
 * The Markdown copy of an incident report. Pure: no AWS imports.
 */
import type { IncidentReport } from './report-builder';
import type { Incident, InvestigationOutcome } from './types';

/** Renders the report for readers. The JSON file, not this copy, is the hashed record. */
export function renderReportMarkdown(report: IncidentReport, sha256: string): string {
  return [
    ...renderSummary(report),
    ...renderTimeline(report),
    ...renderAccesses(report),
    ...renderContainment(report),
    ...renderInvestigation(report),
    ...renderIntegrity(report, sha256),
  ].join('\n');
}

function renderSummary(report: IncidentReport): string[] {
  const { incident } = report;
  const { principal } = incident;
  return [
    `# Incident report ${incident.incidentId}`,
    '',
    ...table(
      ['Field', 'Value'],
      [
        ['Kind', incident.kind],
        ['Severity', `${incident.severity} (score ${incident.score})`],
        ['Status', incident.status],
        ['Principal', code(principal.key)],
        ['Principal ARN', code(principal.arn)],
        ['Identity type', principal.type],
        ['Account', principal.accountId ?? 'none'],
        ['Cross-account', principal.crossAccount ? 'yes' : 'no'],
        [
          principal.type === 'AssumedRole' ? 'Session name' : 'User or session name',
          principal.sessionName ?? 'none',
        ],
        ['Opened', incident.openedAt],
        ['Window ends', incident.windowEndsAt],
        ['Closed', incident.closedAt ?? 'not closed'],
      ],
    ),
    '',
  ];
}

function renderTimeline(report: IncidentReport): string[] {
  const rows = report.timeline.map((entry) => [entry.at, entry.event, entry.description]);
  return ['## Timeline', '', ...table(['Time (UTC)', 'Event', 'Description'], rows), ''];
}

function renderAccesses(report: IncidentReport): string[] {
  const summary = report.decisionsSummary;
  const { byAction } = summary;
  const counts = [
    ['Decisions', summary.total],
    ['Violations (or break-glass accesses in a review)', summary.violations],
    ['Denied attempts', summary.deniedAttempts],
    [
      'Reads / writes / deletes / lists',
      `${byAction.read} / ${byAction.write} / ${byAction.delete} / ${byAction.list}`,
    ],
    ['Distinct objects', summary.distinctObjects],
    ['Distinct key prefixes', summary.distinctPrefixes],
  ].map(([name, value]) => [String(name), String(value)]);

  return [
    '## Accesses',
    '',
    ...table(['Count', 'Value'], counts),
    '',
    ...lowerBoundNotice(report.incident),
    '### Key prefixes',
    '',
    ...bulletList(report.incident.prefixes, summary.prefixesComplete),
    '',
    '### Objects',
    '',
    ...bulletList(report.incident.objectKeys, summary.objectKeysComplete),
    '',
    '### Decisions',
    '',
    'Each id is the CloudTrail `eventID` and the access index within that event; the decision documents',
    'with the reasons are in OpenSearch and under `decisions/` in the evidence bucket.',
    '',
    ...bulletList(report.incident.decisionIds, summary.decisionIdsComplete),
    '',
  ];
}

function renderContainment(report: IncidentReport): string[] {
  const { containment } = report;
  const lines = [
    '## Containment',
    '',
    `- Status: ${containment.status}`,
    `- Strategy: ${containment.strategy}`,
    `- Target: ${containment.target === undefined ? 'none' : code(containment.target)}`,
    `- Policy: ${containment.policyName === undefined ? 'none' : code(containment.policyName)}`,
    `- Detail: ${oneLine(containment.detail)}`,
  ];
  const release = report.incident.release;
  if (release !== undefined) {
    lines.push(
      `- Released: ${release.releasedAt} by ${code(release.releasedBy)}: ${oneLine(release.reason)}`,
    );
  }
  return [...lines, ''];
}

function renderInvestigation(report: IncidentReport): string[] {
  const { athena, macie } = report.investigation;
  return ['## Investigation', '', renderOutcome('Athena', athena), renderOutcome('Macie', macie), ''];
}

function renderOutcome(name: string, outcome: InvestigationOutcome): string {
  const error =
    outcome.status !== 'completed' && outcome.error !== undefined ? ` Error: ${oneLine(outcome.error)}` : '';
  return `- ${name}: ${outcome.status}. ${oneLine(outcome.summary)}${error}`;
}

function renderIntegrity(report: IncidentReport, sha256: string): string[] {
  return [
    '## Integrity',
    '',
    `- SHA-256 of the JSON report: ${code(sha256)}`,
    `- SHA-256 of the previous report: ${code(report.previousSha256)}`,
    '- The JSON file beside this one is the record; this Markdown copy is not hashed.',
    '',
  ];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function bulletList(items: readonly string[], complete: boolean): string[] {
  if (items.length === 0) return ['None.'];
  const lines = items.map((item) => `- ${code(item)}`);
  return complete ? lines : [...lines, `- (list capped at ${items.length}; the counts above cover all)`];
}

function cell(text: string): string {
  return oneLine(text).replaceAll('|', '\\|');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** Wraps text in a code span whose fence is longer than any backtick run inside it. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = longestRun > 0 ? ' ' : '';
  return `${fence}${padding}${oneLine(text)}${padding}${fence}`;
}

/** Says which counts stopped being exact because the incident ran out of deduplication tokens. */
export function lowerBoundNotice(incident: Incident): string[] {
  if (incident.countsAreLowerBounds === true) {
    return [
      'Every count above is a lower bound: the incident stopped counting new decisions when it was full.',
      '',
    ];
  }
  if (incident.distinctCountsAreLowerBounds === true) {
    return [
      'The distinct objects and key prefixes are lower bounds: the incident stopped tracking new ones.',
      '',
    ];
  }
  return [];
}
