/**
 * Releases an incident's containment: removes exactly the inline policy or bucket policy statements that
 * the incident added, and records who released it, when and why.
 */
import type { ContainmentStatus, Incident, IncidentRelease } from '../types';
import { type ContainmentClients, removeContainment } from './iam-containment';

/** The part of the incident repository that a release reads and writes. */
export interface ReleaseRecorder {
  getIncident(incidentId: string): Promise<Incident | undefined>;
  recordRelease(incidentId: string, release: IncidentRelease): Promise<unknown>;
}

export interface ReleaseRequest {
  readonly incidentId: string;
  /** Name of the person or system that releases the containment. */
  readonly releasedBy: string;
  readonly reason: string;
}

/** Statuses whose policy is (or may still be) attached, so that there is something to remove. */
const RELEASABLE: readonly ContainmentStatus[] = ['contained', 'already-contained'];

/**
 * Removes the incident's containment and records the release. Throws when the incident is not found,
 * was already released, or has no containment to remove (skipped, alert only, dry run).
 */
export async function releaseIncident(
  clients: ContainmentClients,
  incidents: ReleaseRecorder,
  request: ReleaseRequest,
  now: Date,
): Promise<IncidentRelease> {
  validateRequest(request);
  const incident = await incidents.getIncident(request.incidentId);
  if (!incident) {
    throw new Error(`Incident ${request.incidentId} was not found.`);
  }
  const containment = checkReleasable(incident);

  const outcome = await removeContainment(clients, containment);
  const release: IncidentRelease = {
    releasedAt: now.toISOString(),
    releasedBy: request.releasedBy,
    reason: request.reason,
    detail: outcome.detail,
  };
  await incidents.recordRelease(incident.incidentId, release);
  return release;
}

function validateRequest(request: ReleaseRequest): void {
  if (request.reason.trim().length === 0) {
    throw new Error('A release needs a reason; pass one with --reason.');
  }
  if (request.releasedBy.trim().length === 0) {
    throw new Error('A release needs the name of who releases it; pass one with --by.');
  }
}

function checkReleasable(incident: Incident): NonNullable<Incident['containment']> {
  const { incidentId, containment, release } = incident;
  if (release) {
    throw new Error(
      `Incident ${incidentId} was already released at ${release.releasedAt} by ${release.releasedBy}.`,
    );
  }
  if (!containment || !RELEASABLE.includes(containment.status)) {
    const status = containment?.status ?? 'not contained';
    throw new Error(`Incident ${incidentId} has no containment to release (status: ${status}).`);
  }
  return containment;
}
