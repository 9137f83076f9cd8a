/**
 * Conversion between incident state and incidents table items (see incidents-table.ts for the layout).
 */
import { SHORT_HASH_BYTES, SHORT_HASH_LENGTH } from './incident-keys';
import { lowerBoundFlags, type IncidentState, type TrackedTokens } from './incident-state';
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
    distinctCountsAreLowerBounds: state.tracked.distinctCountsAreLowerBounds,
    countsAreLowerBounds: state.tracked.countsAreLowerBounds,
  };
}

export function fromIncidentItem(item: Item): StoredIncident {
  const tracked: TrackedTokens = {
    decisions: splitTokens(item.trackedDecisions),
    objects: splitTokens(item.trackedObjects),
    prefixes: splitTokens(item.trackedPrefixes),
    distinctCountsAreLowerBounds: item.distinctCountsAreLowerBounds === true,
    countsAreLowerBounds: item.countsAreLowerBounds === true,
  };

  return { state: { incident: toIncident(item), tracked }, version: Number(item.version) };
}

/** Attributes that `toIncident` does not copy as they are: the item version, and the flags stored as false. */
const NOT_COPIED: ReadonlySet<string> = new Set([
  'version',
  'countsAreLowerBounds',
  'distinctCountsAreLowerBounds',
]);

/** Picks the `Incident` fields of an incident item or of its `incidents-by-opened-at` projection. */
export function toIncident(item: Item): Incident {
  const incident: Record<string, unknown> = { openedAt: item.openedAt };
  for (const name of INCIDENT_LIST_ATTRIBUTES) {
    if (!NOT_COPIED.has(name) && item[name] !== undefined) incident[name] = item[name];
  }
  const flags = lowerBoundFlags({
    countsAreLowerBounds: item.countsAreLowerBounds === true,
    distinctCountsAreLowerBounds: item.distinctCountsAreLowerBounds === true,
  });
  return { ...incident, ...flags } as unknown as Incident;
}

export function toOpenWindowItem(window: OpenWindow): Item {
  return { ...openWindowKey(window.principalKey), ...window };
}

export function fromOpenWindowItem(item: Item): OpenWindow {
  const { pk: _pk, sk: _sk, ...window } = item;
  return window as unknown as OpenWindow;
}

// Tokens have a fixed size, so they are stored concatenated in one binary value of 8 bytes per token. A string
// set would take 11 characters per token and cannot be empty.
function joinTokens(tokens: ReadonlySet<string>): Uint8Array {
  const bytes = Buffer.alloc(tokens.size * SHORT_HASH_BYTES);
  let offset = 0;
  for (const token of tokens) {
    offset += Buffer.from(token, 'base64url').copy(bytes, offset);
  }
  return bytes;
}

/** Reads concatenated tokens: binary, or base64url text as incident items stored them before. */
function splitTokens(value: unknown): Set<string> {
  const tokens = new Set<string>();
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    for (let start = 0; start + SHORT_HASH_BYTES <= bytes.length; start += SHORT_HASH_BYTES) {
      tokens.add(bytes.subarray(start, start + SHORT_HASH_BYTES).toString('base64url'));
    }
    return tokens;
  }

  const text = typeof value === 'string' ? value : '';
  for (let start = 0; start + SHORT_HASH_LENGTH <= text.length; start += SHORT_HASH_LENGTH) {
    tokens.add(text.slice(start, start + SHORT_HASH_LENGTH));
  }
  return tokens;
}
