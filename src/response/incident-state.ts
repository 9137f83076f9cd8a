/**
 * Incident state and how a batch of decisions joins it. Pure: no AWS imports.
 */
import type { Decision, DecisionType, Principal } from '../domain/types';
import { keyPrefix, shortHash } from './incident-keys';
import { scoreSeverity } from './severity';
import type { Incident, IncidentCounts, IncidentKind } from './types';

/** Maximum `bucket/prefix` strings listed on an incident. `counts.prefixes` keeps counting past it. */
export const MAX_LISTED_PREFIXES = 50;
/** Maximum `bucket/key` strings listed on an incident. `counts.objects` keeps counting past it. */
export const MAX_LISTED_OBJECT_KEYS = 50;
/** Maximum decision ids listed on an incident, so that the incident stays small in Step Functions payloads. */
export const MAX_LISTED_DECISION_IDS = 100;
/**
 * Maximum 8-byte tokens (decisions, objects and prefixes) that one incident tracks. They take up to 240 KB of the
 * 400 KB DynamoDB item, and the rest is left for the listed keys and prefixes (about 110 KB with 1,024-byte keys),
 * the containment policy and the report fields. A decision that arrives when all are used is not counted.
 */
export const MAX_TRACKED_TOKENS = 30_000;
/**
 * Maximum object and prefix tokens, half of `MAX_TRACKED_TOKENS`, so that at least 15,000 decisions count exactly.
 * Past it, decisions still count but new objects and prefixes do not.
 */
export const MAX_OBJECT_AND_PREFIX_TOKENS = 15_000;
/** Maximum decisions in one triage input, which bounds the work and the item growth of one conditional write. */
export const MAX_DECISIONS_PER_INPUT = 2_000;

const TRIAGE_DECISION_TYPES: ReadonlySet<DecisionType> = new Set(['violation', 'denied', 'break-glass']);

/**
 * Short hashes of what an incident already counted, so that a redelivered decision changes nothing. An incident
 * that runs out of tokens stays open rather than handing later decisions to a second incident with a second
 * containment, and marks which of its counts became lower bounds.
 * `Incident` carries the two flags too, so alerts and reports can state which counts are lower bounds.
 */
export interface TrackedTokens {
  readonly decisions: ReadonlySet<string>;
  readonly objects: ReadonlySet<string>;
  readonly prefixes: ReadonlySet<string>;
  /** True once a new object or prefix was not tracked, so `counts.objects` and `counts.prefixes` are lower bounds. */
  readonly distinctCountsAreLowerBounds: boolean;
  /** True once a decision was not counted because every token was used, so every count is a lower bound. */
  readonly countsAreLowerBounds: boolean;
}

export interface IncidentState {
  readonly incident: Incident;
  readonly tracked: TrackedTokens;
}

/** Fields that fix a new incident before any decision joins it. */
export interface IncidentOpening {
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly principal: Principal;
  readonly openedAt: string;
  readonly windowEndsAt: string;
}

export const ZERO_COUNTS: IncidentCounts = {
  violations: 0,
  deniedAttempts: 0,
  reads: 0,
  writes: 0,
  deletes: 0,
  lists: 0,
  objects: 0,
  prefixes: 0,
};

/**
 * Returns the violation, denied and break-glass decisions of a triage input, without repeated decision ids,
 * ordered by event time and then decision id.
 */
export function selectTriageDecisions(decisions: readonly Decision[]): Decision[] {
  const byId = new Map<string, Decision>();
  for (const decision of decisions) {
    if (TRIAGE_DECISION_TYPES.has(decision.decision) && !byId.has(decision.decisionId)) {
      byId.set(decision.decisionId, decision);
    }
  }

  return [...byId.values()].sort(
    (a, b) => a.eventTime.localeCompare(b.eventTime) || a.decisionId.localeCompare(b.decisionId),
  );
}

/**
 * Returns the kind of incident that decisions open: `violation` when any is a violation,
 * `break-glass-review` when any is a break-glass access, and undefined for denied attempts alone.
 */
export function incidentKindFor(decisions: readonly Decision[]): IncidentKind | undefined {
  if (decisions.some((decision) => decision.decision === 'violation')) return 'violation';
  if (decisions.some((decision) => decision.decision === 'break-glass')) return 'break-glass-review';
  return undefined;
}

/** Creates an open incident with zero counts. */
export function openIncidentState(opening: IncidentOpening): IncidentState {
  const incident: Incident = {
    ...opening,
    status: 'open',
    lastSeenAt: opening.openedAt,
    ...scoreSeverity(ZERO_COUNTS, opening.principal),
    counts: ZERO_COUNTS,
    prefixes: [],
    objectKeys: [],
    decisionIds: [],
  };

  const tracked: TrackedTokens = {
    decisions: new Set(),
    objects: new Set(),
    prefixes: new Set(),
    distinctCountsAreLowerBounds: false,
    countsAreLowerBounds: false,
  };
  return { incident, tracked };
}

/** Returns the decisions that the incident has not counted yet. */
export function freshDecisions(state: IncidentState, decisions: readonly Decision[]): Decision[] {
  return decisions.filter((decision) => !state.tracked.decisions.has(shortHash(decision.decisionId)));
}

/** Returns true when decisions of `kind` may join the incident at `now`. */
export function isJoinable(incident: Incident, kind: IncidentKind, now: Date): boolean {
  const kindFits = incident.kind === 'violation' || kind === 'break-glass-review';
  return incident.status === 'open' && now.getTime() < Date.parse(incident.windowEndsAt) && kindFits;
}

/**
 * Adds decisions that the incident has not counted yet and scores it again. Action counts cover violation
 * and break-glass accesses. A denied request counts only in `deniedAttempts` and adds no object.
 * `counts.violations` counts violations, or break-glass accesses in a break-glass review incident.
 * Past `MAX_OBJECT_AND_PREFIX_TOKENS` new objects and prefixes are not counted, and past `MAX_TRACKED_TOKENS`
 * decisions are not counted; `TrackedTokens` records either case.
 */
export function mergeDecisions(state: IncidentState, decisions: readonly Decision[]): IncidentState {
  const fresh = freshDecisions(state, decisions);
  if (fresh.length === 0) return state;

  const tracked: MutableTokens = {
    decisions: new Set(state.tracked.decisions),
    objects: new Set(state.tracked.objects),
    prefixes: new Set(state.tracked.prefixes),
    distinctCountsAreLowerBounds: state.tracked.distinctCountsAreLowerBounds,
    countsAreLowerBounds: state.tracked.countsAreLowerBounds,
  };
  const lists = {
    prefixes: [...state.incident.prefixes],
    objectKeys: [...state.incident.objectKeys],
    decisionIds: [...state.incident.decisionIds],
  };
  const counts = { ...state.incident.counts };

  const counted: Decision[] = [];
  for (const decision of fresh) {
    if (usedTokens(tracked) >= MAX_TRACKED_TOKENS) {
      // Without its token a redelivery of this decision could not be recognized, so it is not counted at all.
      tracked.countsAreLowerBounds = true;
      continue;
    }
    countDecision(counts, state.incident.kind, decision);
    trackDecision(tracked, lists, decision);
    counted.push(decision);
  }
  if (counted.length === 0 && tracked.countsAreLowerBounds === state.tracked.countsAreLowerBounds)
    return state;

  counts.objects = tracked.objects.size;
  counts.prefixes = tracked.prefixes.size;

  const incident = { ...summarize(state.incident, counts, lists, counted), ...lowerBoundFlags(tracked) };
  return { incident, tracked };
}

type MutableCounts = { -readonly [name in keyof IncidentCounts]: number };

interface IncidentLists {
  prefixes: string[];
  objectKeys: string[];
  decisionIds: string[];
}

interface MutableTokens {
  decisions: Set<string>;
  objects: Set<string>;
  prefixes: Set<string>;
  distinctCountsAreLowerBounds: boolean;
  countsAreLowerBounds: boolean;
}

function usedTokens(tracked: MutableTokens): number {
  return tracked.decisions.size + tracked.objects.size + tracked.prefixes.size;
}

function countDecision(counts: MutableCounts, kind: IncidentKind, decision: Decision): void {
  if (decision.decision === 'denied') {
    counts.deniedAttempts += 1;
    return;
  }

  const counted = kind === 'violation' ? 'violation' : 'break-glass';
  if (decision.decision === counted) counts.violations += 1;

  const actionCounts = { read: 'reads', write: 'writes', delete: 'deletes', list: 'lists' } as const;
  counts[actionCounts[decision.action]] += 1;
}

function trackDecision(tracked: MutableTokens, lists: IncidentLists, decision: Decision): void {
  tracked.decisions.add(shortHash(decision.decisionId));
  addListed(lists.decisionIds, decision.decisionId, MAX_LISTED_DECISION_IDS);

  const prefix = keyPrefix(decision.bucket, decision.key);
  if (addDistinctToken(tracked, tracked.prefixes, prefix))
    addListed(lists.prefixes, prefix, MAX_LISTED_PREFIXES);

  // A denied request reached no object, and a list action names a prefix, not an object.
  if (decision.decision === 'denied' || decision.action === 'list') return;

  const objectKey = `${decision.bucket}/${decision.key}`;
  if (addDistinctToken(tracked, tracked.objects, objectKey)) {
    addListed(lists.objectKeys, objectKey, MAX_LISTED_OBJECT_KEYS);
  }
}

/**
 * Adds the short hash of `text` to `tokens` (the object or prefix tokens) and returns true when it was not
 * tracked yet. A new token that does not fit is dropped, which makes the distinct counts lower bounds.
 */
function addDistinctToken(tracked: MutableTokens, tokens: Set<string>, text: string): boolean {
  const token = shortHash(text);
  if (tokens.has(token)) return false;

  const distinct = tracked.objects.size + tracked.prefixes.size;
  if (distinct >= MAX_OBJECT_AND_PREFIX_TOKENS || usedTokens(tracked) >= MAX_TRACKED_TOKENS) {
    tracked.distinctCountsAreLowerBounds = true;
    return false;
  }

  tokens.add(token);
  return true;
}

function addListed(list: string[], value: string, max: number): void {
  if (list.length < max) list.push(value);
}

/** Returns the flags that are set, so that an incident with exact counts carries neither. */
export function lowerBoundFlags(
  tracked: Pick<TrackedTokens, 'countsAreLowerBounds' | 'distinctCountsAreLowerBounds'>,
): Pick<Incident, 'countsAreLowerBounds' | 'distinctCountsAreLowerBounds'> {
  return {
    ...(tracked.countsAreLowerBounds ? { countsAreLowerBounds: true } : {}),
    ...(tracked.distinctCountsAreLowerBounds ? { distinctCountsAreLowerBounds: true } : {}),
  };
}

function summarize(
  incident: Incident,
  counts: IncidentCounts,
  lists: IncidentLists,
  fresh: readonly Decision[],
): Incident {
  const eventTimes = fresh.map((decision) => Date.parse(decision.eventTime));
  // Before the first decision joins, lastSeenAt is the opening time, which is not an event time.
  const known =
    incident.firstSeenAt === undefined
      ? []
      : [Date.parse(incident.firstSeenAt), Date.parse(incident.lastSeenAt)];
  const times = [...known, ...eventTimes].filter((time) => !Number.isNaN(time));

  return {
    ...incident,
    ...scoreSeverity(counts, incident.principal),
    counts,
    ...lists,
    firstSeenAt: times.length > 0 ? new Date(Math.min(...times)).toISOString() : incident.firstSeenAt,
    lastSeenAt: times.length > 0 ? new Date(Math.max(...times)).toISOString() : incident.lastSeenAt,
  };
}
