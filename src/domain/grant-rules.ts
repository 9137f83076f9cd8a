/**
 * The rules a grant must follow, checked field by field so that a grants file reports every broken rule
 * at once. `docs/grants.md` describes the same rules for grant authors.
 */
import { InvalidGrantError } from './errors';
import { principalKeyOf } from './grant-principal';
import { formatIsoTime, parseIsoTime } from './iso-time';
import { describeJsonValue, isJsonObject, type JsonObject } from './json-value';
import { ACCESS_ACTIONS, type AccessAction, type Grant } from './types';

/** One broken rule in a grants file. `line` is where the grant starts; `field` is absent for file-level problems. */
export interface GrantProblem {
  readonly line: number;
  readonly field?: string;
  readonly message: string;
}

/** Fields a grant may have, in the order docs/grants.md lists them. */
export const GRANT_FIELDS = [
  'grantId',
  'principal',
  'principalKey',
  'sessionName',
  'bucket',
  'prefix',
  'actions',
  'notBefore',
  'expiresAt',
  'purpose',
  'breakGlass',
  'revokedAt',
  'revokedBy',
  'revocationReason',
] as const;

const GRANT_ID = /^[\w.:@/+=-]{1,128}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const TIME_EXAMPLE = 'a real calendar date and time in ISO 8601 with a zone, such as 2025-03-01T08:00:00Z';

/** Collects problems for one grant. */
class ProblemList {
  readonly problems: GrantProblem[] = [];

  constructor(private readonly line: number) {}

  add(field: string | undefined, message: string): void {
    this.problems.push(
      field === undefined ? { line: this.line, message } : { line: this.line, field, message },
    );
  }
}

/**
 * Validates one grant as read from a file. `validatedAtMs` (epoch milliseconds) is the latest `revokedAt`
 * allowed. Returns the grant when no rule is broken, and the problems otherwise.
 */
export function validateGrant(
  value: unknown,
  line: number,
  validatedAtMs: number,
): { grant?: Grant; problems: GrantProblem[] } {
  const problems = new ProblemList(line);
  if (!isJsonObject(value)) {
    problems.add(undefined, `A grant must be an object; received ${describeJsonValue(value)}.`);
    return { problems: problems.problems };
  }

  checkUnknownFields(value, problems);
  const grant = readGrant(value, problems, validatedAtMs);
  return problems.problems.length === 0 ? { grant, problems: [] } : { problems: problems.problems };
}

function checkUnknownFields(value: JsonObject, problems: ProblemList): void {
  const allowed: readonly string[] = GRANT_FIELDS;
  for (const field of Object.keys(value).filter((name) => !allowed.includes(name))) {
    problems.add(field, `Unknown field "${field}"; allowed fields are ${GRANT_FIELDS.join(', ')}.`);
  }
}

function readGrant(value: JsonObject, problems: ProblemList, validatedAtMs: number): Grant {
  const principal = readPrincipal(value, problems);
  const window = readWindow(value, problems);
  const revocation = readRevocation(value, problems, validatedAtMs);

  return {
    grantId: readRequiredText(
      value,
      'grantId',
      problems,
      GRANT_ID,
      'letters, digits and . _ : @ / + = -, 1 to 128 characters',
    ),
    ...principal,
    bucket: readBucket(value, problems),
    prefix: readPrefix(value, problems),
    actions: readActions(value, problems),
    ...window,
    purpose: readRequiredText(value, 'purpose', problems),
    breakGlass: readBreakGlass(value, problems),
    ...revocation,
  };
}

function readRequiredText(
  value: JsonObject,
  field: string,
  problems: ProblemList,
  pattern?: RegExp,
  allowed = 'a non-empty string',
): string {
  const text = value[field];
  if (typeof text !== 'string' || text.trim() === '' || (pattern && !pattern.test(text))) {
    problems.add(field, `${field} must be ${allowed}; received ${describeJsonValue(text)}.`);
    return '';
  }

  return text;
}

function readPrincipal(
  value: JsonObject,
  problems: ProblemList,
): Pick<Grant, 'principal' | 'principalKey' | 'sessionName'> {
  const principal = readRequiredText(value, 'principal', problems);
  if (principal === '') return { principal, principalKey: '' };

  let normalized: { principalKey: string; sessionName?: string };
  try {
    normalized = principalKeyOf(principal);
  } catch (error) {
    if (!(error instanceof InvalidGrantError)) throw error;
    problems.add('principal', error.message);
    return { principal, principalKey: '' };
  }

  checkWrittenPrincipalKey(value.principalKey, normalized.principalKey, problems);
  const sessionName = readSessionName(value.sessionName, principal, normalized, problems);
  return sessionName === undefined
    ? { principal, principalKey: normalized.principalKey }
    : { principal, principalKey: normalized.principalKey, sessionName };
}

/** `principalKey` is derived from `principal`; a file may repeat it (as an export does) only unchanged. */
function checkWrittenPrincipalKey(written: unknown, derived: string, problems: ProblemList): void {
  if (written !== undefined && written !== derived) {
    problems.add(
      'principalKey',
      `principalKey ${describeJsonValue(written)} does not match "${derived}", the key of principal.`,
    );
  }
}

function readSessionName(
  written: unknown,
  principal: string,
  normalized: { principalKey: string; sessionName?: string },
  problems: ProblemList,
): string | undefined {
  if (written === undefined) return normalized.sessionName;

  if (typeof written !== 'string' || !SESSION_NAME.test(written)) {
    problems.add(
      'sessionName',
      `sessionName must be a role session name (2 to 64 of the characters A-Z a-z 0-9 _ + = , . @ -); received ${describeJsonValue(written)}.`,
    );
  } else if (!normalized.principalKey.includes(':role/')) {
    problems.add(
      'sessionName',
      `sessionName applies only to role principals; principal "${principal}" is not a role.`,
    );
  } else if (normalized.sessionName !== undefined && normalized.sessionName !== written) {
    problems.add(
      'sessionName',
      `sessionName "${written}" differs from session "${normalized.sessionName}" in principal.`,
    );
  }

  return typeof written === 'string' ? written : undefined;
}

function readBucket(value: JsonObject, problems: ProblemList): string {
  const bucket = readRequiredText(value, 'bucket', problems);
  const rule = bucket === '' ? undefined : findBucketNameProblem(bucket);
  if (rule !== undefined)
    problems.add('bucket', `bucket "${bucket}" is not a valid S3 bucket name: ${rule}.`);
  return bucket;
}

/** Checks the naming rules of S3 general purpose buckets; returns the broken rule or undefined. */
export function findBucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return 'it must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(bucket)) return 'it may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return 'it must begin and end with a letter or digit';
  if (bucket.includes('..')) return 'it must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'it must not be formatted as an IP address';
  if (bucket.startsWith('xn--')) return 'it must not start with xn--';
  if (bucket.endsWith('-s3alias') || bucket.endsWith('--ol-s3'))
    return 'it must not end with -s3alias or --ol-s3';
  return undefined;
}

function readPrefix(value: JsonObject, problems: ProblemList): string {
  const prefix = value.prefix;
  if (typeof prefix !== 'string' || prefix === '') {
    problems.add(
      'prefix',
      `prefix must be a literal key prefix such as "patients/", or "*" for the whole bucket; received ${describeJsonValue(prefix)}.`,
    );
    return '';
  }

  if (prefix !== '*' && prefix.includes('*')) {
    problems.add(
      'prefix',
      `prefix "${prefix}" contains "*"; prefixes are literal, and only a lone "*" means the whole bucket.`,
    );
  }

  return prefix;
}

function readActions(value: JsonObject, problems: ProblemList): AccessAction[] {
  const actions = value.actions;
  const allowed: readonly string[] = ACCESS_ACTIONS;
  const rule = `a non-empty list of distinct actions from ${ACCESS_ACTIONS.join(', ')}`;

  const valid =
    Array.isArray(actions) &&
    actions.length > 0 &&
    actions.every((action) => typeof action === 'string' && allowed.includes(action)) &&
    new Set(actions).size === actions.length;
  if (!valid) {
    problems.add(
      'actions',
      `actions must be ${rule}; received ${actions === undefined ? 'nothing' : JSON.stringify(actions)}.`,
    );
    return [];
  }

  return actions as AccessAction[];
}

function readWindow(value: JsonObject, problems: ProblemList): Pick<Grant, 'notBefore' | 'expiresAt'> {
  const notBefore = readTime(value, 'notBefore', problems, true);
  const expiresAt = readTime(value, 'expiresAt', problems, true);

  if (notBefore !== undefined && expiresAt !== undefined && notBefore >= expiresAt) {
    problems.add(
      'expiresAt',
      `expiresAt ${formatIsoTime(expiresAt)} must be later than notBefore ${formatIsoTime(notBefore)}.`,
    );
  }

  return {
    notBefore: notBefore === undefined ? '' : formatIsoTime(notBefore),
    expiresAt: expiresAt === undefined ? '' : formatIsoTime(expiresAt),
  };
}

function readTime(
  value: JsonObject,
  field: string,
  problems: ProblemList,
  required: boolean,
): number | undefined {
  const text = value[field];
  if (text === undefined && !required) return undefined;

  const millis = typeof text === 'string' ? parseIsoTime(text) : undefined;
  if (millis === undefined) {
    problems.add(field, `${field} must be ${TIME_EXAMPLE}; received ${describeJsonValue(text)}.`);
  }

  return millis;
}

function readBreakGlass(value: JsonObject, problems: ProblemList): boolean {
  const breakGlass = value.breakGlass;
  if (breakGlass === undefined) return false;
  if (typeof breakGlass === 'boolean') return breakGlass;

  problems.add('breakGlass', `breakGlass must be true or false; received ${describeJsonValue(breakGlass)}.`);
  return false;
}

function readRevocation(
  value: JsonObject,
  problems: ProblemList,
  validatedAtMs: number,
): Pick<Grant, 'revokedAt' | 'revokedBy' | 'revocationReason'> {
  const revokedAt = readTime(value, 'revokedAt', problems, false);
  if (revokedAt !== undefined) checkRevokedAtPassed(revokedAt, validatedAtMs, problems);

  const revokedBy = value.revokedBy;
  const revocationReason = value.revocationReason;

  for (const [field, text] of [
    ['revokedBy', revokedBy],
    ['revocationReason', revocationReason],
  ] as const) {
    if (text !== undefined && (typeof text !== 'string' || text.trim() === '')) {
      problems.add(field, `${field} must be a non-empty string; received ${describeJsonValue(text)}.`);
    } else if (text !== undefined && value.revokedAt === undefined) {
      problems.add(field, `${field} is set, but revokedAt is missing; a revocation needs its time.`);
    }
  }

  return {
    ...(revokedAt === undefined ? {} : { revokedAt: formatIsoTime(revokedAt) }),
    ...(typeof revokedBy === 'string' ? { revokedBy } : {}),
    ...(typeof revocationReason === 'string' ? { revocationReason } : {}),
  };
}

/**
 * Adds a problem when `revokedAt` is later than the validation time. A future `revokedAt` looks like a
 * revocation while the grant keeps authorizing accesses until then, so an end that lies ahead belongs in
 * `expiresAt`.
 */
function checkRevokedAtPassed(revokedAt: number, validatedAtMs: number, problems: ProblemList): void {
  if (revokedAt <= validatedAtMs) return;

  problems.add(
    'revokedAt',
    `revokedAt ${formatIsoTime(revokedAt)} is later than the validation time ${formatIsoTime(validatedAtMs)}, ` +
      'but a revocation must record a time that has passed. To end the grant at a later time, set expiresAt instead.',
  );
}
