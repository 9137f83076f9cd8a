/** The history branch of the response workflow's investigation: an Athena query over CloudTrail. */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { pollJob } from './response-investigation-polling';
import { failedOutcome, outcome, type ServiceCallProps, serviceTask } from './response-investigation-states';
import { TRAIL_DATE_PARTITION, type TrailHistoryTable } from './trail-history-table';

export const HISTORY_STATES = {
  prepareHistory: 'Prepare history query',
  startHistoryQuery: 'Start history query',
  countHistoryPolls: 'Start counting history polls',
  waitForHistoryQuery: 'Wait for history query',
  getHistoryQuery: 'Get history query state',
  isHistoryQueryDone: 'Is the history query done?',
  countAnotherHistoryPoll: 'Count another history poll',
  getHistoryResults: 'Get history query results',
  historyCompleted: 'History query completed',
  historyEnded: 'History query ended without results',
  stopHistoryQuery: 'Stop history query',
  historyTimedOut: 'History query timed out',
  historyFailed: 'History query failed',
} as const;

const S = HISTORY_STATES;

/** Seconds between two polls of the history query. */
export const HISTORY_POLL_SECONDS = 10;
/** Maximum rows of the grouped history, so that the results stay far below the 256 KiB state size limit. */
export const HISTORY_ROW_LIMIT = 100;

export interface HistoryQueryOptions {
  readonly trailHistory: TrailHistoryTable;
  /** Days of history before the incident's opening time that the query covers. */
  readonly lookbackDays: number;
  /** Time after which the query is stopped and reported as timed out. */
  readonly timeout: Duration;
}

/**
 * Builds the history branch: an Athena query that groups the principal's CloudTrail events by service,
 * action and error, polled with a Wait loop. A Wait loop, not the `.sync` integration, because the
 * loop gives the branch its own timeout that stops the query and still produces an outcome, and it
 * needs only the Athena actions of the query itself.
 */
export function buildHistoryQuery(scope: Construct, options: HistoryQueryOptions): sfn.IChainable {
  const { trailHistory } = options;
  const failed = failedOutcome(scope, S.historyFailed, 'The Athena history query failed.', '$.historyError');
  const onError = (task: sfn.TaskStateBase) =>
    task.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.historyError' });
  const queryId = sfn.JsonPath.stringAt('$.history.query.queryExecutionId');

  const start = athenaTask(scope, S.startHistoryQuery, 'startQueryExecution', trailHistory, {
    parameters: {
      QueryString: historyQuery(trailHistory, options.lookbackDays),
      WorkGroup: trailHistory.workGroupName,
      QueryExecutionContext: { Database: trailHistory.databaseName },
      // Athena substitutes each execution parameter as a SQL expression, so the triage Lambda passes
      // string literals with their quotes doubled (`historyQueryParameters`): a principal name cannot add SQL.
      ExecutionParameters: sfn.JsonPath.listAt('$.historyParameters'),
      ClientRequestToken: sfn.JsonPath.stringAt('$.incident.incidentId'),
    },
    resultSelector: { 'queryExecutionId.$': '$.QueryExecutionId' },
    resultPath: '$.history.query',
  });
  const getState = athenaTask(scope, S.getHistoryQuery, 'getQueryExecution', trailHistory, {
    parameters: { QueryExecutionId: queryId },
    resultSelector: { 'state.$': '$.QueryExecution.Status.State', 'status.$': '$.QueryExecution.Status' },
    resultPath: '$.history.status',
  });
  const getResults = athenaTask(scope, S.getHistoryResults, 'getQueryResults', trailHistory, {
    parameters: { QueryExecutionId: queryId, MaxResults: HISTORY_ROW_LIMIT + 1 },
    resultSelector: { 'rows.$': '$.ResultSet.Rows' },
    resultPath: '$.history.results',
  });
  const stop = athenaTask(scope, S.stopHistoryQuery, 'stopQueryExecution', trailHistory, {
    parameters: { QueryExecutionId: queryId },
    resultPath: sfn.JsonPath.DISCARD,
  });
  [start, getState, getResults].forEach(onError);

  const timedOut = outcome(scope, S.historyTimedOut, 'timed-out', {
    summary: sfn.JsonPath.format(
      `Athena query {} did not finish within ${options.timeout.toMinutes()} minutes and was stopped.`,
      queryId,
    ),
  });
  stop.addCatch(timedOut, { errors: ['States.ALL'], resultPath: '$.history.stopError' });

  const query = pollJob(scope, {
    stateNames: {
      startCounting: S.countHistoryPolls,
      countAnother: S.countAnotherHistoryPoll,
      wait: S.waitForHistoryQuery,
      decide: S.isHistoryQueryDone,
    },
    start,
    getStatus: getState,
    statusPath: '$.history.status.state',
    counterPath: '$.history.polls',
    pollInterval: Duration.seconds(HISTORY_POLL_SECONDS),
    timeout: options.timeout,
    succeededStatus: 'SUCCEEDED',
    onSucceeded: getResults.next(completedHistory(scope, options)),
    endedStatuses: ['FAILED', 'CANCELLED'],
    onEnded: endedHistory(scope, queryId),
    onTimeout: stop.next(timedOut),
  });

  const prepare = new sfn.Pass(scope, S.prepareHistory, {
    result: sfn.Result.fromObject({}),
    resultPath: '$.history',
  });
  return prepare.next(query);
}

function completedHistory(scope: Construct, options: HistoryQueryOptions): sfn.Pass {
  const rows = sfn.JsonPath.listAt('$.history.results.rows');
  return outcome(scope, S.historyCompleted, 'completed', {
    summary: sfn.JsonPath.format(
      `Athena grouped the principal's CloudTrail events of the ${options.lookbackDays} days before the incident into {} rows.`,
      sfn.JsonPath.mathAdd(Token.asNumber(sfn.JsonPath.arrayLength(rows)), -1),
    ),
    details: {
      queryExecutionId: sfn.JsonPath.stringAt('$.history.query.queryExecutionId'),
      // The first row contains the column names.
      rows,
    },
  });
}

function endedHistory(scope: Construct, queryId: string): sfn.Pass {
  return outcome(scope, S.historyEnded, 'failed', {
    summary: sfn.JsonPath.format(
      'Athena query {} ended in state {}.',
      queryId,
      sfn.JsonPath.stringAt('$.history.status.state'),
    ),
    error: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.history.status.status')),
  });
}

/**
 * SQL of the history query. The three `?` are, in order: the incident's opening time (ISO 8601), the
 * principal ARN and the session issuer ARN. The date partition bounds the scan to the lookback window.
 */
export function historyQuery(trailHistory: TrailHistoryTable, lookbackDays: number): string {
  return [
    'SELECT eventsource, eventname, errorcode, count(*) AS events, min(eventtime) AS first_seen,',
    '  max(eventtime) AS last_seen, count(DISTINCT sourceipaddress) AS source_ips',
    `FROM "${trailHistory.databaseName}"."${trailHistory.tableName}"`,
    `WHERE ${TRAIL_DATE_PARTITION} >= date_format(from_iso8601_timestamp(?) - interval '${lookbackDays}' day, '%Y/%m/%d')`,
    '  AND (useridentity.arn = ? OR useridentity.sessioncontext.sessionissuer.arn = ?)',
    'GROUP BY eventsource, eventname, errorcode',
    'ORDER BY events DESC',
    `LIMIT ${HISTORY_ROW_LIMIT}`,
  ].join('\n');
}

function athenaTask(
  scope: Construct,
  name: string,
  action: string,
  trailHistory: TrailHistoryTable,
  props: ServiceCallProps,
): tasks.CallAwsService {
  const workGroupArn = Stack.of(scope).formatArn({
    service: 'athena',
    resource: 'workgroup',
    resourceName: trailHistory.workGroupName,
  });
  return serviceTask(scope, name, { service: 'athena', action, iamResources: [workGroupArn] }, props);
}
