import { ConfigError } from '../../lib/config';
import { checkScheduleExpression, findDailyRunProblem, findScheduleProblem } from '../../lib/config-schedule';

describe('findScheduleProblem', () => {
  test.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(30 days)',
    'cron(0 3 * * ? *)',
    'cron(15 10 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron(0 8 1,15 * ? 2030-2035)',
    'cron(0 0 L * ? *)',
    'cron(0 9 3W * ? *)',
    'cron(0 9 ? * 6L *)',
    'cron(0 9 ? * 3#2 *)',
    'cron(0 9 ? JAN,JUL 2 *)',
    'cron(0 9 ? * sun *)',
    'at(2030-01-31T03:00:00)',
    'at(2028-02-29T23:59:59)',
  ])('accepts %s', (expression) => {
    expect(findScheduleProblem(expression)).toBeUndefined();
  });

  test.each([
    ['plain text', 'every-day', 'must have the form'],
    ['missing parenthesis', 'rate(1 day', 'must have the form'],
    ['upper-case kind', 'RATE(1 day)', 'must have the form'],
    ['zero rate', 'rate(0 minutes)', 'positive whole number'],
    ['negative rate', 'rate(-5 minutes)', 'positive whole number'],
    ['fractional rate', 'rate(1.5 hours)', 'positive whole number'],
    ['unknown unit', 'rate(2 weeks)', 'positive whole number'],
    ['seconds', 'rate(30 seconds)', 'positive whole number'],
    ['missing unit', 'rate(5)', 'positive whole number'],
    ['plural with 1', 'rate(1 days)', 'singular with the value 1'],
    ['singular with 5', 'rate(5 minute)', 'singular with the value 1'],
    ['five cron fields', 'cron(0 3 * * ?)', 'six fields'],
    ['seven cron fields', 'cron(0 0 3 * * ? *)', 'six fields'],
    ['both day fields set', 'cron(0 3 * * MON *)', 'Exactly one of the day-of-month and day-of-week'],
    ['both day fields ?', 'cron(0 3 ? * ? *)', 'Exactly one of the day-of-month and day-of-week'],
    ['minute 60', 'cron(60 3 * * ? *)', 'The minutes field "60" contains 60'],
    ['hour 24', 'cron(0 24 * * ? *)', 'The hours field "24"'],
    ['day 0', 'cron(0 3 0 * ? *)', 'The day-of-month field "0"'],
    ['month 13', 'cron(0 3 1 13 ? *)', 'The month field "13"'],
    ['weekday 8', 'cron(0 3 ? * 8 *)', 'The day-of-week field "8"'],
    ['year 1969', 'cron(0 3 * * ? 1969)', 'The year field "1969"'],
    ['? in minutes', 'cron(? 3 * * ? *)', 'The minutes field cannot be ?'],
    ['unknown month name', 'cron(0 3 1 JANUARY ? *)', 'contains "JANUARY"'],
    ['weekday name in month', 'cron(0 3 1 MON ? *)', 'contains "MON"'],
    ['letter in hours', 'cron(0 x * * ? *)', 'contains "x"'],
    ['# in month', 'cron(0 3 1 1#2 ? *)', 'may contain only'],
    ['empty list item', 'cron(0 3,,4 * * ? *)', 'may contain only'],
    ['zero increment', 'cron(0/0 * * * ? *)', 'contains 0, but it must be from 1 to 59'],
    ['sixth weekday instance', 'cron(0 9 ? * 3#6 *)', 'contains 6, but it must be from 1 to 5'],
    ['date without time', 'at(2030-01-31)', 'at(yyyy-mm-ddThh:mm:ss)'],
    ['time zone suffix', 'at(2030-01-31T03:00:00Z)', 'at(yyyy-mm-ddThh:mm:ss)'],
    ['February 30', 'at(2030-02-30T03:00:00)', 'not a valid date and time'],
    ['hour 25', 'at(2030-01-31T25:00:00)', 'not a valid date and time'],
  ])('rejects %s', (_case, expression, problem) => {
    expect(findScheduleProblem(expression)).toContain(problem);
  });
});

describe('checkScheduleExpression', () => {
  test('throws ConfigError naming key', () => {
    expect(() => checkScheduleExpression('reconciliationSchedule', 'rate(1 days)')).toThrow(ConfigError);
    expect(() => checkScheduleExpression('reconciliationSchedule', 'rate(1 days)')).toThrow(
      'Context value "reconciliationSchedule" must be an EventBridge Scheduler expression',
    );
  });

  test('accepts default', () => {
    expect(() => checkScheduleExpression('reconciliationSchedule', 'rate(1 day)')).not.toThrow();
  });
});

describe('findDailyRunProblem', () => {
  test.each([
    'rate(1 minute)',
    'rate(1440 minutes)',
    'rate(24 hours)',
    'rate(1 day)',
    'cron(0 3 * * ? *)',
    'cron(0 3 ? * * *)',
    'cron(0/5 0-23 * * ? *)',
  ])('accepts %s', (expression) => {
    expect(findDailyRunProblem(expression)).toBeUndefined();
  });

  test.each([
    ['at(2030-01-31T03:00:00)', 'An at(...) schedule runs only once'],
    ['rate(1441 minutes)', 'rate(1441 minutes) runs less often than once a day'],
    ['rate(25 hours)', 'rate(25 hours) runs less often than once a day'],
    ['rate(2 days)', 'rate(2 days) runs less often than once a day'],
    ['cron(0 3 ? * SUN *)', 'A cron schedule must run every day'],
    ['cron(0 3 ? * 1-7 *)', 'A cron schedule must run every day'],
    ['cron(0 3 1-31 * ? *)', 'A cron schedule must run every day'],
    ['cron(0 3 * JAN-DEC ? *)', 'A cron schedule must run every day'],
    ['cron(0 3 * * ? 2030-2199)', 'A cron schedule must run every day'],
  ])('rejects %s', (expression, problem) => {
    expect(findDailyRunProblem(expression)).toContain(problem);
  });
});
