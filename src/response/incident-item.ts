/**
 * Conversion between incident state and incidents table items (see incidents-table.ts for the layout).
 */
import { SHORT_HASH_LENGTH } from './incident-keys';
import type { IncidentState, TrackedTokens } from './incident-state';
import {
  INCIDENT_LIST_ATTRIBUTES,
  INCIDENT_LIST_PARTITION,
  incidentKey,
  openWindowKey,
} from './incidents-table';
import type { Incident, IncidentKind } from './types';

/** An incident as stored, with the version that the next conditional write must match. */
export interface StoredIncident {
  readonly state: IncidentState;
  /** 0 for an incident that has no item yet. */
  readonly version: number;
}

/** The principal's current incident, as the open window item stores it. */
export interface OpenWindow {
  readonly principalKey: string;
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly openedAt: string;
  readonly windowEndsAt: string;
  /** First decision of the triage input that opened the window. Redeliveries of that input report `isNew` too. */
  readonly openingDecisionId: string;
  /** Incident the principal had before this one. Decisions it tracked are not counted again. */
  readonly previousIncidentId?: string;
}

type Item = Record<string, unknown>;

export function toIncidentItem(state: IncidentState, version: number): Item {
  return {
    ...incidentKey(state.incident.incidentId),
    listPartition: INCIDENT_LIST_PARTITION,
    ...state.incident,
    version,
    trackedDecisions: joinTokens(state.tracked.decisions),
    trackedObjects: joinTokens(state.tracked.objects),
    trackedPrefixes: joinTokens(state.tracked.prefixes),
  };
}

export function fromIncidentItem(item: Item): StoredIncident {
  const tracked: TrackedTokens = {
    decisions: splitTokens(item.trackedDecisions),
    objects: splitTokens(item.trackedObjects),
    prefixes: splitTokens(item.trackedPrefixes),
  };

  return { state: { incident: toIncident(item), tracked }, version: Number(item.version) };
}

/** Picks the `Incident` fields of an incident item or of its `incidents-by-opened-at` projection. */
export function toIncident(item: Item): Incident {
  const incident: Record<string, unknown> = { openedAt: item.openedAt };
  for (const name of INCIDENT_LIST_ATTRIBUTES) {
    if (name !== 'version' && item[name] !== undefined) incident[name] = item[name];
  }
  return incident as unknown as Incident;
}

export function toOpenWindowItem(window: OpenWindow): Item {
  return { ...openWindowKey(window.principalKey), ...window };
}

export function fromOpenWindowItem(item: Item): OpenWindow {
  const { pk: _pk, sk: _sk, ...window } = item;
  return window as unknown as OpenWindow;
}

// Tokens have a fixed length, so they are stored concatenated: smaller than a string set and never empty-set.
function joinTokens(tokens: ReadonlySet<string>): string {
  return [...tokens].join('');
}

function splitTokens(value: unknown): Set<string> {
  const text = typeof value === 'string' ? value : '';
  const tokens = new Set<string>();
  for (let start = 0; start + SHORT_HASH_LENGTH <= text.length; start += SHORT_HASH_LENGTH) {
    tokens.add(text.slice(start, start + SHORT_HASH_LENGTH));
  }
  return tokens;
}
