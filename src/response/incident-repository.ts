/**
 * The incidents table: opening and joining incidents, recording what the response workflow did, and the
 * report hash chain. The table layout is described in incidents-table.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Decision, Principal, TriageInput } from '../domain/types';
import { IncidentNotFoundError, IncidentWriteConflictError } from './errors';
import type { OpenWindow, StoredIncident } from './incident-item';
import { createIncidentId } from './incident-keys';
import {
  freshDecisions,
  incidentKindFor,
  isJoinable,
  mergeDecisions,
  openIncidentState,
  type IncidentState,
} from './incident-state';
import { IncidentTableClient, type ReportLink } from './incident-table-client';
import { ReportChainStore } from './report-chain-store';
import { validateTriageInput } from './triage-input';
import type {
  ContainmentResult,
  Incident,
  IncidentKind,
  IncidentRelease,
  ReportLocation,
  TriageResult,
} from './types';

/** Violations by one principal within this many minutes join one incident. */
export const DEFAULT_INCIDENT_WINDOW_MINUTES = 15;

export interface IncidentRepositoryOptions {
  /** Rounds of read and conditional write before `IncidentWriteConflictError`. @default 50 */
  readonly maxAttempts?: number;
  /** Time of `recordContainment`, `closeIncident` and report links. @default the system clock */
  readonly clock?: () => Date;
  /** Waits before the next round after a failed condition. @default 1-50 ms, random, growing with the attempt */
  readonly backoff?: (attempt: number) => Promise<void>;
}

type JoinPlan = 'join' | 'open' | 'skip';

export class IncidentRepository {
  /** Report hash chain kept in the same table. */
  readonly reportChain: ReportChainStore;
  private readonly table: IncidentTableClient;
  private readonly maxAttempts: number;
  private readonly clock: () => Date;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(client: DynamoDBClient, tableName: string, options: IncidentRepositoryOptions = {}) {
    this.table = new IncidentTableClient(client, tableName);
    this.maxAttempts = options.maxAttempts ?? 50;
    this.clock = options.clock ?? (() => new Date());
    this.backoff = options.backoff ?? randomBackoff;
    this.reportChain = new ReportChainStore(this.table, this.clock);
  }

  /**
   * Adds a triage input's decisions to the principal's open incident, or opens one. Concurrent calls for
   * one principal open exactly one incident, and a decision id that the incident (or the principal's
   * previous incident) already counted is not counted again. An incident whose tracked tokens are all used
   * stays joinable until its window ends (see `MAX_TRACKED_TOKENS`). `isNew` is true for every delivery of
   * the input that opened the incident, so the caller that starts the response workflow must treat an
   * existing execution of that name as success.
   * @throws InvalidTriageInputError when the input has no violation or break-glass decision.
   * @throws IncidentWriteConflictError when other executions kept changing the incident (transient).
   */
  async openOrJoin(
    input: TriageInput,
    now: Date,
    windowMinutes = DEFAULT_INCIDENT_WINDOW_MINUTES,
  ): Promise<TriageResult> {
    let pending = validateTriageInput(input);
    const inputIds = new Set(input.decisions.map((decision) => decision.decisionId));
    const checkedPrevious = new Set<string>();

    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const window = await this.table.getOpenWindow(input.principal.key);
      if (window === undefined) {
        if (await this.replaceWindow(undefined, input.principal, pending, now, windowMinutes)) continue;
        await this.backoff(attempt);
        continue;
      }

      pending = await this.withoutPreviousDecisions(window, pending, checkedPrevious);
      const current = await this.loadWindowIncident(window, input.principal);
      pending = freshDecisions(current.state, pending);
      const result = { incident: current.state.incident, isNew: inputIds.has(window.openingDecisionId) };

      const plan = planJoin(current.state, pending, now);
      if (plan === 'skip') return result;
      if (plan === 'join') {
        const merged = mergeDecisions(current.state, pending);
        if (merged === current.state) return result;
        if (await this.table.putIncident(merged, current.version))
          return { ...result, incident: merged.incident };
      } else if (
        await this.closeAndReplaceWindow(window, current, input.principal, pending, now, windowMinutes)
      ) {
        continue;
      }
      await this.backoff(attempt);
    }

    throw new IncidentWriteConflictError(
      `Incident of principal ${input.principal.key} changed on each of ${this.maxAttempts} attempts; retry the triage.`,
    );
  }

  async getIncident(incidentId: string): Promise<Incident | undefined> {
    return (await this.table.getIncident(incidentId))?.state.incident;
  }

  /** Returns up to `limit` incidents, newest first. */
  async listIncidents(limit = 50): Promise<Incident[]> {
    return this.table.listIncidents(limit);
  }

  /** Stores the containment result. Recording the same result again changes nothing. */
  async recordContainment(incidentId: string, result: ContainmentResult): Promise<Incident> {
    return this.updateIncident(incidentId, (incident) => {
      if (JSON.stringify(incident.containment) === JSON.stringify(result)) return incident;
      return { ...incident, containment: result, containmentRecordedAt: this.clock().toISOString() };
    });
  }

  /**
   * Marks the incident released and ends its window at the release time, so that the principal's next
   * violation opens a new incident. The first release recorded stays, and later calls change nothing.
   */
  async recordRelease(incidentId: string, release: IncidentRelease): Promise<Incident> {
    return this.updateIncident(incidentId, (incident) => {
      if (incident.release !== undefined) return incident;
      const windowEndsAt = earlierTime(incident.windowEndsAt, release.releasedAt);
      return { ...incident, status: 'released', release, windowEndsAt };
    });
  }

  /**
   * Closes the incident so that no later decision joins it (so the report covers exactly what it contains).
   * A released incident keeps its status. Closing again changes nothing.
   */
  async closeIncident(incidentId: string): Promise<Incident> {
    return this.updateIncident(incidentId, (incident) => {
      if (incident.closedAt !== undefined) return incident;
      const closedAt = this.clock().toISOString();
      const status = incident.status === 'open' ? 'closed' : incident.status;
      return { ...incident, status, closedAt, windowEndsAt: earlierTime(incident.windowEndsAt, closedAt) };
    });
  }

  /** Stores where the report was written. An incident has one report, so a different one is rejected. */
  async recordReport(incidentId: string, location: ReportLocation): Promise<Incident> {
    return this.updateIncident(incidentId, (incident) => {
      if (incident.report?.sha256 === location.sha256) return incident;
      if (incident.report !== undefined) {
        throw new Error(
          `Incident ${incidentId} already has report ${incident.report.jsonKey} (SHA-256 ${incident.report.sha256}); ` +
            `a second report ${location.jsonKey} was rejected.`,
        );
      }
      return { ...incident, report: location };
    });
  }

  private async updateIncident(
    incidentId: string,
    change: (incident: Incident) => Incident,
  ): Promise<Incident> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const stored = await this.table.getIncident(incidentId);
      if (stored === undefined) throw new IncidentNotFoundError(incidentId);

      const incident = change(stored.state.incident);
      if (incident === stored.state.incident) return incident;
      if (await this.table.putIncident({ ...stored.state, incident }, stored.version)) return incident;
      await this.backoff(attempt);
    }
    throw new IncidentWriteConflictError(
      `Incident ${incidentId} changed on each of ${this.maxAttempts} attempts; retry the update.`,
    );
  }

  /** Loads the window's incident, or a new empty one when the execution that opened the window stopped early. */
  private async loadWindowIncident(window: OpenWindow, principal: Principal): Promise<StoredIncident> {
    const stored = await this.table.getIncident(window.incidentId);
    if (stored !== undefined) return stored;

    const { incidentId, kind, openedAt, windowEndsAt } = window;
    return { state: openIncidentState({ incidentId, kind, principal, openedAt, windowEndsAt }), version: 0 };
  }

  /** Removes decisions that the principal's previous incident counted (redeliveries after its window). */
  private async withoutPreviousDecisions(
    window: OpenWindow,
    pending: Decision[],
    checked: Set<string>,
  ): Promise<Decision[]> {
    const previousId = window.previousIncidentId;
    if (previousId === undefined || checked.has(previousId)) return pending;

    checked.add(previousId);
    const previous = await this.table.getIncident(previousId);
    return previous === undefined ? pending : freshDecisions(previous.state, pending);
  }

  /**
   * Ends the window if it still runs (a review that a violation replaces) and points the principal at a new
   * incident.
   */
  private async closeAndReplaceWindow(
    window: OpenWindow,
    current: StoredIncident,
    principal: Principal,
    pending: readonly Decision[],
    now: Date,
    windowMinutes: number,
  ): Promise<boolean> {
    const { incident } = current.state;
    const running = incident.status === 'open' && now.getTime() < Date.parse(incident.windowEndsAt);
    if (running && current.version > 0) {
      const closed = { ...current.state, incident: { ...incident, windowEndsAt: now.toISOString() } };
      if (!(await this.table.putIncident(closed, current.version))) return false;
    }
    return this.replaceWindow(window, principal, pending, now, windowMinutes);
  }

  private async replaceWindow(
    previous: OpenWindow | undefined,
    principal: Principal,
    pending: readonly Decision[],
    now: Date,
    windowMinutes: number,
  ): Promise<boolean> {
    const kind: IncidentKind = incidentKindFor(pending) ?? 'violation';
    const window: OpenWindow = {
      principalKey: principal.key,
      incidentId: createIncidentId(principal.key, kind, now),
      kind,
      openedAt: now.toISOString(),
      windowEndsAt: new Date(now.getTime() + windowMinutes * 60_000).toISOString(),
      openingDecisionId: pending[0].decisionId,
      previousIncidentId: previous?.incidentId,
    };
    return this.table.replaceOpenWindow(window, previous?.incidentId);
  }
}

/**
 * Decides what happens to decisions the incident has not counted: they join it, open a new incident, or
 * (denied attempts left without a violation or break-glass access, which cannot open one) are skipped.
 * A full incident still joins, because `mergeDecisions` drops what it cannot track.
 */
function planJoin(state: IncidentState, pending: readonly Decision[], now: Date): JoinPlan {
  if (pending.length === 0) return 'skip';

  const kind = incidentKindFor(pending);
  if (kind === undefined) return state.incident.status === 'open' ? 'join' : 'skip';
  return isJoinable(state.incident, kind, now) ? 'join' : 'open';
}

function earlierTime(first: string, second: string): string {
  return Date.parse(second) < Date.parse(first) ? second : first;
}

async function randomBackoff(attempt: number): Promise<void> {
  const delay = 1 + Math.random() * Math.min(50, 5 * attempt);
  await new Promise((resolve) => setTimeout(resolve, delay));
}

export type { ReportLink };
