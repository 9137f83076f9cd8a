/** ISO 8601 date-time parsing shared by record, grant and decision code. */

/** `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z` or an offset such as `+02:00`. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Returns epoch milliseconds for an ISO 8601 date-time with a zone, or undefined for anything else. */
export function parseIsoTime(text: string): number | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match || !hasValidFields(match)) {
    return undefined;
  }

  const millis = Date.parse(text);
  return Number.isNaN(millis) ? undefined : millis;
}

/**
 * Date.parse rolls 2025-02-30 over to March, so the calendar fields are checked here first. Groups that
 * did not match (seconds, offset) count as 0. This runs for every event and grant time, so it reads the
 * match groups directly instead of building an array of them.
 */
function hasValidFields(match: RegExpExecArray): boolean {
  const month = numberAt(match, 2);
  const day = numberAt(match, 3);

  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(numberAt(match, 1), month) &&
    numberAt(match, 4) <= 23 &&
    numberAt(match, 5) <= 59 &&
    numberAt(match, 6) <= 59 &&
    numberAt(match, 7) <= 23 &&
    numberAt(match, 8) <= 59
  );
}

function numberAt(match: RegExpExecArray, group: number): number {
  const digits = match[group];
  return digits === undefined ? 0 : Number(digits);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1 to 12) of `year`, as `Date.UTC` counts them, which reads years 0 to 99 as 1900 to 1999. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1];

  const fullYear = year <= 99 ? 1900 + year : year;
  const leap = (fullYear % 4 === 0 && fullYear % 100 !== 0) || fullYear % 400 === 0;
  return leap ? 29 : 28;
}

/** Formats epoch milliseconds as ISO 8601 UTC, leaving out zero milliseconds (`2025-01-31T08:00:00Z`). */
export function formatIsoTime(millis: number): string {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}
