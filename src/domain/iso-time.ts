/** ISO 8601 date-time parsing shared by record, grant and decision code. */

/** `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z` or an offset such as `+02:00`. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Returns epoch milliseconds for an ISO 8601 date-time with a zone, or undefined for anything else. */
export function parseIsoTime(text: string): number | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match || !hasValidFields(match.slice(1).map((part) => (part === undefined ? 0 : Number(part))))) {
    return undefined;
  }

  const millis = Date.parse(text);
  return Number.isNaN(millis) ? undefined : millis;
}

/** Date.parse rolls 2025-02-30 over to March, so the calendar fields are checked here first. */
function hasValidFields([
  year,
  month,
  day,
  hour,
  minute,
  second,
  offsetHours,
  offsetMinutes,
]: number[]): boolean {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

/** Formats epoch milliseconds as ISO 8601 UTC, leaving out zero milliseconds (`2025-01-31T08:00:00Z`). */
export function formatIsoTime(millis: number): string {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}
