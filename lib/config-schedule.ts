/**
 * Checks EventBridge Scheduler schedule expressions at synth time, because CloudFormation rejects an
 * invalid one only during deployment. The rules come from the ScheduleExpression field of the Scheduler
 * API (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/scheduler/aws.sdk.kotlin.services.scheduler.model/-get-schedule-response/schedule-expression.html)
 * and the cron field table (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).
 */
import { ConfigError } from './config-error';

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Characters besides digits that the field accepts. */
  readonly symbols: string;
  /** Words that the field accepts, upper case. */
  readonly words: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The six fields of a cron expression, in order. */
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, symbols: ',-*/', words: [] },
  { name: 'hours', min: 0, max: 23, symbols: ',-*/', words: [] },
  { name: 'day-of-month', min: 1, max: 31, symbols: ',-*?/', words: ['L', 'W', 'LW'] },
  { name: 'month', min: 1, max: 12, symbols: ',-*/', words: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, symbols: ',-*?#', words: [...WEEKDAYS, 'L'] },
  { name: 'year', min: 1970, max: 2199, symbols: ',-*/', words: [] },
];

const EXAMPLES = 'rate(1 day), rate(6 hours) or cron(0 3 * * ? *)';

/** A schedule expression: its kind and the body between the parentheses. */
const SCHEDULE_EXPRESSION = /^(rate|cron|at)\((.*)\)$/;

const MINUTES_PER_DAY = 24 * 60;

const MINUTES_PER_UNIT: Record<string, number> = { minute: 1, hour: 60, day: MINUTES_PER_DAY };

/** Throws a `ConfigError` naming `key` when `expression` is not a valid Scheduler expression. */
export function checkScheduleExpression(key: string, expression: string): void {
  const problem = findScheduleProblem(expression);
  if (problem !== undefined) {
    throw new ConfigError(
      `Context value "${key}" must be an EventBridge Scheduler expression such as ${EXAMPLES}, ` +
        `got ${JSON.stringify(expression)}. ${problem}.`,
    );
  }
}

/** Returns why `expression` is invalid, or undefined when it is valid. */
export function findScheduleProblem(expression: string): string | undefined {
  const match = SCHEDULE_EXPRESSION.exec(expression);
  if (match === null) {
    return 'The expression must have the form rate(...), cron(...) or at(...)';
  }
  const [, kind, body] = match;
  if (kind === 'rate') {
    return findRateProblem(body);
  }
  if (kind === 'cron') {
    return findCronProblem(body);
  }
  return findAtProblem(body);
}

/**
 * Returns why `expression` can leave more than 24 hours between two runs, or undefined when it runs at
 * least once every 24 hours. A cron expression passes only when it runs every day of every month and year,
 * whatever its minutes and hours. Expects an expression that `findScheduleProblem` accepts.
 */
export function findDailyRunProblem(expression: string): string | undefined {
  const [, kind, body] = SCHEDULE_EXPRESSION.exec(expression) ?? [];
  if (kind === 'at') {
    return 'An at(...) schedule runs only once';
  }
  if (kind === 'rate') {
    return rateMinutes(body) > MINUTES_PER_DAY ? `rate(${body}) runs less often than once a day` : undefined;
  }
  const [, , dayOfMonth, month, dayOfWeek, year] = body.split(' ');
  const everyDay =
    ['*', '?'].includes(dayOfMonth) && month === '*' && ['*', '?'].includes(dayOfWeek) && year === '*';
  return everyDay
    ? undefined
    : 'A cron schedule must run every day, with day-of-month * or ?, month *, day-of-week * or ? and year *';
}

/** Returns the minutes between runs of a valid rate body, such as 1440 for `1 day`. */
function rateMinutes(body: string): number {
  const [value, unit] = body.split(' ');
  return Number(value) * MINUTES_PER_UNIT[unit.replace(/s$/, '')];
}

function findRateProblem(body: string): string | undefined {
  const match = /^([1-9]\d*) (minutes?|hours?|days?)$/.exec(body);
  if (match === null) {
    return 'A rate is a positive whole number and a unit, minute(s), hour(s) or day(s), such as rate(5 minutes)';
  }
  const [, value, unit] = match;
  const singular = !unit.endsWith('s');
  if (singular !== (value === '1')) {
    return 'The unit is singular with the value 1 and plural with any other value';
  }
  return undefined;
}

function findAtProblem(body: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (match === null) {
    return 'A one-time schedule has the form at(yyyy-mm-ddThh:mm:ss)';
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const sameFields =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return sameFields ? undefined : `${body} is not a valid date and time`;
}

function findCronProblem(body: string): string | undefined {
  const values = body.split(' ');
  if (values.length !== CRON_FIELDS.length) {
    return 'A cron expression has six fields separated by single spaces: minutes hours day-of-month month day-of-week year';
  }

  for (const [index, field] of CRON_FIELDS.entries()) {
    const problem = findCronFieldProblem(field, values[index]);
    if (problem !== undefined) {
      return problem;
    }
  }

  const dayOfMonth = values[2];
  const dayOfWeek = values[4];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'Exactly one of the day-of-month and day-of-week fields must be ?';
  }
  return undefined;
}

function findCronFieldProblem(field: CronField, value: string): string | undefined {
  if (value === '?') {
    return field.symbols.includes('?') ? undefined : `The ${field.name} field cannot be ?`;
  }
  const allowed = new RegExp(`^[0-9A-Za-z${escapeForCharacterClass(field.symbols.replace('?', ''))}]+$`);
  if (!allowed.test(value) || value.split(',').some((item) => item.length === 0)) {
    return `The ${field.name} field "${value}" may contain only values and the wildcards ${field.symbols.split('').join(' ')}`;
  }

  const unknownWord = (value.match(/[A-Za-z]+/g) ?? []).find(
    (word) => !field.words.includes(word.toUpperCase()),
  );
  if (unknownWord !== undefined) {
    return `The ${field.name} field "${value}" contains "${unknownWord}", which it does not accept`;
  }
  return findCronNumberProblem(field, value);
}

/** Checks the values of a field. Increments (after `/`) and instance numbers (after `#`) are not values. */
function findCronNumberProblem(field: CronField, value: string): string | undefined {
  for (const [, separator, digits] of value.matchAll(/(^|[^0-9])([0-9]+)/g)) {
    const number = Number(digits);
    const [min, max] = numberRange(field, separator);
    if (number < min || number > max) {
      return `The ${field.name} field "${value}" contains ${digits}, but it must be from ${min} to ${max}`;
    }
  }
  return undefined;
}

function numberRange(field: CronField, separator: string): [number, number] {
  if (separator === '/') {
    return [1, field.max];
  }
  if (separator === '#') {
    return [1, 5];
  }
  return [field.min, field.max];
}

function escapeForCharacterClass(characters: string): string {
  return characters.replace(/[-\\\]^/]/g, '\\$&');
}
