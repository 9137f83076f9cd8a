/**
 * Writes an incident's report: closes the incident, claims the next place in the report hash chain,
 * writes both files to the report store and records the location on the incident.
 */
import { IncidentWriteConflictError, InvalidReportRequestError } from './errors';
import type { IncidentRepository } from './incident-repository';
import { buildReport, reportKeys, type BuiltReport } from './report-builder';
import { GENESIS_SHA256 } from './report-chain';
import type { ReportStore } from './report-store';
import type { ContainmentResult, Incident, InvestigationResults, ReportLocation } from './types';

/** Input of the report step of the response workflow. */
export interface ReportRequest {
  readonly incident: Incident;
  readonly containment: ContainmentResult;
  readonly investigation: InvestigationResults;
}

export interface ReportServiceDependencies {
  readonly repository: IncidentRepository;
  readonly store: ReportStore;
  /** Days from the report's generation time until its Object Lock retention ends. */
  readonly retentionDays: number;
  /** Attempts to claim a place in the chain while other reports take it first. @default 10 */
  readonly maxAttempts?: number;
}

/** Step Functions execution names, which incident ids are: letters, digits, `-` and `_`, at most 80. */
const INCIDENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Writes the report and returns its location. The report describes the incident as stored when it closed,
 * with the workflow's containment and investigation results. A retry returns the recorded location, or
 * rebuilds the same bytes for the chain place it already claimed.
 */
export async function writeIncidentReport(
  dependencies: ReportServiceDependencies,
  request: ReportRequest,
): Promise<ReportLocation> {
  const incidentId = request.incident?.incidentId;
  if (typeof incidentId !== 'string' || !INCIDENT_ID_PATTERN.test(incidentId)) {
    throw new InvalidReportRequestError(
      `Report request has incident id ${JSON.stringify(incidentId)}; expected 1-80 letters, digits, - or _.`,
    );
  }

  const incident = await dependencies.repository.closeIncident(incidentId);
  if (incident.report !== undefined) return incident.report;

  const generatedAt = incident.closedAt ?? new Date().toISOString();
  const built = await claimChainPlace(dependencies, { ...request, incident }, generatedAt);
  const keys = reportKeys(incidentId, generatedAt);
  const retainUntil = new Date(Date.parse(generatedAt) + dependencies.retentionDays * 86_400_000);

  await dependencies.store.write({ ...keys, json: built.json, markdown: built.markdown, retainUntil });
  const location: ReportLocation = {
    bucket: dependencies.store.location,
    ...keys,
    sha256: built.sha256,
    previousSha256: built.report.previousSha256,
    retainUntil: retainUntil.toISOString(),
  };
  await dependencies.repository.recordReport(incidentId, location);
  return location;
}

async function claimChainPlace(
  dependencies: ReportServiceDependencies,
  request: ReportRequest,
  generatedAt: string,
): Promise<BuiltReport> {
  const chain = dependencies.repository.reportChain;
  const { incidentId } = request.incident;
  const build = (previousSha256: string) => buildReport({ ...request, previousSha256, generatedAt });

  const claimed = await chain.findLink(incidentId, generatedAt);
  if (claimed !== undefined) return rebuildClaimed(build(claimed.previousSha256), claimed.sha256, incidentId);

  const maxAttempts = dependencies.maxAttempts ?? 10;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const head = await chain.head();
    const built = build(head?.sha256 ?? GENESIS_SHA256);
    const { jsonKey } = reportKeys(incidentId, generatedAt);
    const linkRequest = {
      incidentId,
      sha256: built.sha256,
      previousSha256: built.report.previousSha256,
      jsonKey,
    };
    if ((await chain.advance(linkRequest, head)) !== undefined) return built;
  }
  throw new IncidentWriteConflictError(
    `Report of incident ${incidentId} lost the next place in the report chain ${maxAttempts} times; retry the report.`,
  );
}

/**
 * NOTE: the rebuilt bytes differ from the claimed ones only when the incident changed between the first
 * attempt and this retry (such as a release recorded in between). The claimed link then names a file that
 * was never written, and this step fails instead of breaking the chain silently.
 */
function rebuildClaimed(built: BuiltReport, claimedSha256: string, incidentId: string): BuiltReport {
  if (built.sha256 === claimedSha256) return built;
  throw new Error(
    `Report of incident ${incidentId} rebuilt with SHA-256 ${built.sha256}, but its chain link claims ` +
      `${claimedSha256}; the incident changed after the first attempt. Check the incident and the report chain.`,
  );
}
