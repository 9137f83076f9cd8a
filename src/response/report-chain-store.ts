/**
 * The report hash chain in the incidents table: one link item per report, numbered from 1. A link is
 * written only if its sequence number is free, so two reports can never claim the same predecessor.
 */
import type { IncidentTableClient, ReportLink } from './incident-table-client';
import { GENESIS_SHA256 } from './report-chain';

/** A report about to be linked. */
export type ReportLinkRequest = Pick<ReportLink, 'incidentId' | 'sha256' | 'previousSha256' | 'jsonKey'>;

/** Links written this long before an incident closed are not searched for its report. */
const CLOCK_SKEW_MS = 5 * 60_000;

export class ReportChainStore {
  constructor(
    private readonly table: IncidentTableClient,
    private readonly clock: () => Date,
  ) {}

  /** Returns the newest link, or undefined before the first report. */
  async head(): Promise<ReportLink | undefined> {
    let newest: ReportLink | undefined;
    await this.table.walkReportLinks(1, (link) => {
      newest = link;
      return false;
    });
    return newest;
  }

  /**
   * Appends a link after `head` (undefined for the first report). Returns undefined when another report
   * took that place first, and the caller then rebuilds its report on the new head.
   */
  async advance(request: ReportLinkRequest, head: ReportLink | undefined): Promise<ReportLink | undefined> {
    const expectedPrevious = head?.sha256 ?? GENESIS_SHA256;
    if (request.previousSha256 !== expectedPrevious) {
      throw new Error(
        `Report of incident ${request.incidentId} names predecessor ${request.previousSha256}, ` +
          `but the chain head is ${expectedPrevious}.`,
      );
    }

    const link: ReportLink = {
      ...request,
      sequence: (head?.sequence ?? 0) + 1,
      linkedAt: this.clock().toISOString(),
    };
    return (await this.table.putReportLink(link)) ? link : undefined;
  }

  /**
   * Finds the incident's link among those written since `notBefore` (ISO 8601), so that a retried report
   * step reuses the place it already claimed.
   */
  async findLink(incidentId: string, notBefore: string): Promise<ReportLink | undefined> {
    const oldest = Date.parse(notBefore) - CLOCK_SKEW_MS;
    let found: ReportLink | undefined;
    await this.table.walkReportLinks(20, (link) => {
      if (link.incidentId === incidentId) found = link;
      return found === undefined && Date.parse(link.linkedAt) >= oldest;
    });
    return found;
  }
}
