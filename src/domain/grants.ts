/**
 * Grants: the principal forms a grant may name, grants files (JSON or CSV) and revocation.
 * The rules for each field are in `grant-rules.ts`; `docs/grants.md` describes them for grant authors.
 */
import { InvalidGrantError } from './errors';
import { lineOfJsonError, locateJsonArrayElements, readCsvRecords } from './grant-file-formats';
import { validateGrant, type GrantProblem } from './grant-rules';
import { parseIsoTime } from './iso-time';
import { isJsonObject } from './json-value';
import type { Grant } from './types';

export type { GrantProblem } from './grant-rules';
export { principalKeyOf } from './grant-principal';

export interface ParseGrantsOptions {
  /**
   * Clock that sets the validation time, the latest `revokedAt` that a grant may have.
   * @default the system clock
   */
  readonly now?: () => Date;
}

/**
 * Parses and validates a grants file.
 *
 * JSON is an array of grant objects or `{"grants": [...]}`; CSV has a header row naming the fields, and
 * lists `actions` separated by `;`. Returns the valid grants, the line where each of them starts (by
 * grantId), and one problem per broken rule, each naming the line where the grant starts (line 1 for
 * problems of the whole file). Grants with problems are left out.
 */
export function parseGrantsFile(
  text: string,
  format: 'json' | 'csv',
  options: ParseGrantsOptions = {},
): { grants: Grant[]; grantLines: Map<string, number>; problems: GrantProblem[] } {
  const validatedAtMs = options.now?.().getTime() ?? Date.now();
  const entries = format === 'json' ? readJsonEntries(text) : readCsvEntries(text);
  const grants: Grant[] = [];
  const problems: GrantProblem[] = [...entries.problems];
  const firstLineOfGrantId = new Map<string, number>();

  for (const { line, value } of entries.items) {
    const result = validateGrant(value, line, validatedAtMs);
    problems.push(...result.problems);
    if (!result.grant) continue;

    const firstLine = firstLineOfGrantId.get(result.grant.grantId);
    if (firstLine !== undefined) {
      problems.push(duplicateProblem(result.grant.grantId, line, firstLine));
      continue;
    }

    firstLineOfGrantId.set(result.grant.grantId, line);
    grants.push(result.grant);
  }

  // Row problems are found before grant problems, so a stable sort puts both in file order.
  problems.sort((first, second) => first.line - second.line);
  return { grants, grantLines: firstLineOfGrantId, problems };
}

function duplicateProblem(grantId: string, line: number, firstLine: number): GrantProblem {
  return {
    line,
    field: 'grantId',
    message: `grantId "${grantId}" is already used by the grant on line ${firstLine}; every grantId must be unique.`,
  };
}

/** The grant entries of a file, and the problems found before any grant is validated. */
interface FileEntries {
  readonly items: { line: number; value: unknown }[];
  readonly problems: GrantProblem[];
}

function readJsonEntries(text: string): FileEntries {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    return {
      items: [],
      problems: [
        { line: lineOfJsonError(text, message), message: `The file is not valid JSON: ${message}.` },
      ],
    };
  }

  const list = Array.isArray(document) ? document : isJsonObject(document) ? document.grants : undefined;
  if (!Array.isArray(list)) {
    return {
      items: [],
      problems: [
        { line: 1, message: 'The file must hold an array of grants or an object {"grants": [...]}.' },
      ],
    };
  }

  const lines = locateJsonArrayElements(text, Array.isArray(document) ? undefined : 'grants');
  return { items: list.map((value, index) => ({ line: lines[index] ?? 1, value })), problems: [] };
}

function readCsvEntries(text: string): FileEntries {
  const parsed = readCsvRecords(text);
  return {
    items: parsed.rows.map((row) => ({ line: row.line, value: row.fields })),
    problems: parsed.problems,
  };
}

/**
 * Returns a copy of the grant that covers nothing at or after `revokedAt`. Grants are never deleted,
 * so the revoked grant still authorizes accesses that happened before `revokedAt`. A grant whose stored
 * `revokedAt` is later than `revokedAt` can be revoked again, which moves its revocation earlier.
 *
 * @throws InvalidGrantError when `revokedAt` is not an ISO 8601 time, the grant is already revoked at or
 *   before `revokedAt`, or `revokedBy` or `reason` is empty.
 */
export function revokeGrant(grant: Grant, revokedAt: string, revokedBy: string, reason: string): Grant {
  if (parseIsoTime(revokedAt) === undefined) {
    throw new InvalidGrantError(
      `revokedAt "${revokedAt}" is not an ISO 8601 time such as 2025-03-01T12:00:00Z.`,
    );
  }

  if (!canRevokeAt(grant, revokedAt)) {
    throw new InvalidGrantError(
      `Grant ${grant.grantId} was already revoked at ${grant.revokedAt} by ${grant.revokedBy ?? 'an unknown user'}.`,
    );
  }

  if (revokedBy.trim() === '' || reason.trim() === '') {
    throw new InvalidGrantError(
      `Revoking grant ${grant.grantId} requires the name of the revoker and a reason.`,
    );
  }

  return { ...grant, revokedAt, revokedBy, revocationReason: reason };
}

/**
 * Returns true when revoking the grant at `revokedAt` ends it earlier: the grant is not revoked, or its
 * stored `revokedAt` is later. Returns false when `revokedAt` does not parse and the grant is revoked.
 */
export function canRevokeAt(grant: Grant, revokedAt: string): boolean {
  if (grant.revokedAt === undefined) return true;

  const revokedAtMs = parseIsoTime(revokedAt);
  return revokedAtMs !== undefined && isRevocationPending(grant.revokedAt, revokedAtMs);
}

/**
 * Returns true when `revokedAt` is later than `timeMs` (epoch milliseconds), so the revocation has not
 * taken effect at that time. A `revokedAt` that does not parse counts as in effect, because the
 * validator reads it as a grant revoked at every time.
 */
export function isRevocationPending(revokedAt: string, timeMs: number): boolean {
  const revokedAtMs = parseIsoTime(revokedAt);
  return revokedAtMs !== undefined && revokedAtMs > timeMs;
}
