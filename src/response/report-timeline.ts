/**
 * The timeline of an incident report. Pure: no AWS imports.
 */
import type { ContainmentResult, Incident } from './types';

export type TimelineEvent =
  | 'first-access'
  | 'incident-opened'
  | 'last-access'
  | 'containment-recorded'
  | 'incident-closed'
  | 'containment-released'
  | 'report-generated';

export interface TimelineEntry {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly event: TimelineEvent;
  /** One sentence for readers of the report. */
  readonly description: string;
}

/** Order of events that share one time. */
const EVENT_ORDER: readonly TimelineEvent[] = [
  'first-access',
  'incident-opened',
  'last-access',
  'containment-recorded',
  'incident-closed',
  'containment-released',
  'report-generated',
];

/** Lists what happened to the incident, oldest first. Events without a recorded time are left out. */
export function buildTimeline(
  incident: Incident,
  containment: ContainmentResult,
  generatedAt: string,
): TimelineEntry[] {
  const access = incident.kind === 'violation' ? 'unauthorized access' : 'break-glass access';
  const candidates: { at?: string; event: TimelineEvent; description: string }[] = [
    { at: incident.firstSeenAt, event: 'first-access', description: `First ${access} of the incident.` },
    { at: incident.openedAt, event: 'incident-opened', description: 'Triage opened the incident.' },
    {
      at: incident.lastSeenAt,
      event: 'last-access',
      description: `Last ${access} that joined the incident.`,
    },
    {
      at: incident.containmentRecordedAt,
      event: 'containment-recorded',
      description: `Containment ${containment.status} (${containment.strategy}): ${containment.detail}`,
    },
    {
      at: incident.closedAt,
      event: 'incident-closed',
      description: 'The incident closed; later accesses open a new one.',
    },
    {
      at: incident.release?.releasedAt,
      event: 'containment-released',
      description: `${incident.release?.releasedBy} released the containment: ${incident.release?.reason}`,
    },
    { at: generatedAt, event: 'report-generated', description: 'This report was generated.' },
  ];

  return candidates
    .filter((entry): entry is TimelineEntry => entry.at !== undefined)
    .sort(
      (a, b) =>
        Date.parse(a.at) - Date.parse(b.at) || EVENT_ORDER.indexOf(a.event) - EVENT_ORDER.indexOf(b.event),
    );
}
