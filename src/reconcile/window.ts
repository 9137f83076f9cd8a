/**
 * The time window that one reconciliation run covers and the date partitions its queries read.
 * Pure: no AWS imports.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Half-open time range [start, end) of CloudTrail event times. */
export interface ReconciliationWindow {
  readonly start: Date;
  readonly end: Date;
}

export interface WindowSettings {
  /** Hours of event time that one run covers; more than the schedule interval, so runs overlap. */
  readonly windowHours: number;
  /** Hours before the run time that are left to the next run, while CloudTrail and Firehose still deliver. */
  readonly settleHours: number;
}

/** Returns the window that ends `settleHours` before `runAt` and spans `windowHours`. */
export function windowBefore(runAt: Date, settings: WindowSettings): ReconciliationWindow {
  const end = new Date(runAt.getTime() - settings.settleHours * HOUR_MS);
  return { start: new Date(end.getTime() - settings.windowHours * HOUR_MS), end };
}

/**
 * Parses a window given as ISO 8601 times, for manual runs.
 * @throws Error when a time is invalid or the window is empty or longer than `maxDays`.
 */
export function parseWindow(start: string, end: string, maxDays: number): ReconciliationWindow {
  const window = { start: new Date(start), end: new Date(end) };
  if (Number.isNaN(window.start.getTime()) || Number.isNaN(window.end.getTime())) {
    throw new Error(`Invalid reconciliation window "${start}" to "${end}": expected two ISO 8601 times.`);
  }
  const length = window.end.getTime() - window.start.getTime();
  if (length <= 0 || length > maxDays * DAY_MS) {
    throw new Error(
      `Invalid reconciliation window "${start}" to "${end}": the end must follow the start by at most ${maxDays} days.`,
    );
  }
  return window;
}

/** UTC days from the day of `from` to the day of `to`, both included, as `[yyyy, MM, dd]`. */
export function utcDays(from: Date, to: Date): Array<[string, string, string]> {
  const days: Array<[string, string, string]> = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (cursor.getTime() <= to.getTime()) {
    const iso = cursor.toISOString();
    days.push([iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)]);
    cursor.setTime(cursor.getTime() + DAY_MS);
  }
  return days;
}

/**
 * Date partitions of the trail table (`yyyy/MM/dd`): CloudTrail files a log under the day it delivers
 * it, so the day after the window is read too.
 */
export function trailPartitionDates(window: ReconciliationWindow): string[] {
  const lastDay = new Date(window.end.getTime() + DAY_MS);
  return utcDays(window.start, lastDay).map((day) => day.join('/'));
}

/**
 * Year, month and day partition values of the archive table. Firehose files an event under the hour it
 * arrived, which can be up to a day after the event (EventBridge retries) or later (an earlier
 * re-injection), so every day from the window start to the run time is read.
 */
export function archivePartitionValues(window: ReconciliationWindow, runAt: Date) {
  const days = utcDays(window.start, runAt.getTime() > window.end.getTime() ? runAt : window.end);
  const distinct = (index: number) => [...new Set(days.map((day) => day[index]))];
  return { years: distinct(0), months: distinct(1), days: distinct(2) };
}
