/**
 * Verification of the report hash chain. Pure: no AWS imports.
 */
import { canonicalJson, sha256Hex } from './canonical-json';

/** `previousSha256` of the first report in a chain. */
export const GENESIS_SHA256 = '0'.repeat(64);

/** The field of a report that links it to its predecessor. */
export interface ChainedReport {
  readonly previousSha256: string;
}

export interface ChainVerification {
  readonly valid: boolean;
  /** SHA-256 of each report's canonical JSON, in input order. */
  readonly sha256s: readonly string[];
  /** One sentence per broken link, naming the report's position (0 for the first). */
  readonly errors: readonly string[];
}

export interface ChainVerificationOptions {
  /** Expected `previousSha256` of the first report. @default GENESIS_SHA256 */
  readonly firstPreviousSha256?: string;
  /** Expected SHA-256 of the last report, such as the one recorded in the chain's newest link. */
  readonly lastSha256?: string;
}

/** Returns the SHA-256 of a report's canonical JSON, which is also the SHA-256 of its stored JSON file. */
export function reportSha256(report: unknown): string {
  return sha256Hex(canonicalJson(report));
}

/**
 * Checks that each report names the SHA-256 of the report before it. Reports are given oldest first, as
 * parsed JSON. A changed report breaks the link of the report after it. A change to the last report is
 * found only through `lastSha256`.
 */
export function verifyReportChain(
  reports: readonly ChainedReport[],
  options: ChainVerificationOptions = {},
): ChainVerification {
  const sha256s = reports.map(reportSha256);
  const errors: string[] = [];

  let expectedPrevious = options.firstPreviousSha256 ?? GENESIS_SHA256;
  reports.forEach((report, index) => {
    if (report.previousSha256 !== expectedPrevious) {
      errors.push(
        `Report ${index} names predecessor ${String(report.previousSha256)}, but the SHA-256 before it is ${expectedPrevious}.`,
      );
    }
    expectedPrevious = sha256s[index];
  });

  const last = sha256s.at(-1);
  if (options.lastSha256 !== undefined && last !== options.lastSha256) {
    errors.push(`The last report has SHA-256 ${String(last)}, but ${options.lastSha256} was expected.`);
  }
  return { valid: errors.length === 0, sha256s, errors };
}
