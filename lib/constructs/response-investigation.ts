/**
 * The two branches of the response workflow's investigation. Each ends in an `InvestigationOutcome`
 * (`completed`, `failed`, `timed-out` or `not-enabled`), also when its service fails, so that the
 * report step always runs.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { TRAIL_DATE_PARTITION, type TrailHistoryTable } from './trail-history-table';

export const INVESTIGATION_STATES = {
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
  startClassification: 'Start classification job',
  isMacieEnabled: 'Is Macie enabled?',
  macieNotEnabled: 'Macie not enabled',
  countClassificationPolls: 'Start counting classification polls',
  waitForClassification: 'Wait for classification job',
  describeClassification: 'Describe classification job',
  isClassificationDone: 'Is the classification job done?',
  countAnotherClassificationPoll: 'Count another classification poll',
  classificationCompleted: 'Classification job completed',
  classificationEnded: 'Classification job ended early',
  classificationTimedOut: 'Classification job timed out',
  classificationFailed: 'Classification job failed',
} as const;

const S = INVESTIGATION_STATES;

/** Seconds between two polls of the history query. */
export const HISTORY_POLL_SECONDS = 10;
/** Seconds between two polls of the Macie job, which rarely finishes in under ten minutes. */
export const CLASSIFICATION_POLL_SECONDS = 60;
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

  const poll = pollLoop(scope, {
    counterPath: '$.history.polls',
    startCounting: S.countHistoryPolls,
    countAnother: S.countAnotherHistoryPoll,
    wait: new sfn.Wait(scope, S.waitForHistoryQuery, {
      time: sfn.WaitTime.duration(Duration.seconds(HISTORY_POLL_SECONDS)),
    }),
    check: getState,
    maxPolls: Math.ceil(options.timeout.toSeconds() / HISTORY_POLL_SECONDS),
    decide: new sfn.Choice(scope, S.isHistoryQueryDone)
      .when(
        sfn.Condition.stringEquals('$.history.status.state', 'SUCCEEDED'),
        getResults.next(completedHistory(scope, options)),
      )
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.history.status.state', 'FAILED'),
          sfn.Condition.stringEquals('$.history.status.state', 'CANCELLED'),
        ),
        outcome(scope, S.historyEnded, 'failed', {
          summary: sfn.JsonPath.format(
            'Athena query {} ended in state {}.',
            queryId,
            sfn.JsonPath.stringAt('$.history.status.state'),
          ),
          error: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.history.status.status')),
        }),
      ),
    onTimeout: stop.next(timedOut),
  });

  const prepare = new sfn.Pass(scope, S.prepareHistory, {
    result: sfn.Result.fromObject({}),
    resultPath: '$.history',
  });
  return prepare.next(start).next(poll);
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

export interface ClassificationJobOptions {
  /** Time after which the workflow stops waiting and reports the job as timed out. */
  readonly timeout: Duration;
}

/**
 * Builds the Macie branch: a one-time classification job over the objects that the incident touched,
 * scoped to their buckets and to keys that start with the touched keys, and polled until it completes.
 * The incident id is the client token, so a retried start reuses the job.
 */
export function buildClassificationJob(scope: Construct, options: ClassificationJobOptions): sfn.IChainable {
  const failed = failedOutcome(
    scope,
    S.classificationFailed,
    'The Macie classification job failed.',
    '$.classificationError',
  );
  const jobId = sfn.JsonPath.stringAt('$.classificationJob.jobId');

  const start = macieTask(scope, S.startClassification, 'createClassificationJob', {
    parameters: classificationJobRequest(scope),
    resultSelector: { 'jobId.$': '$.JobId', 'jobArn.$': '$.JobArn' },
    resultPath: '$.classificationJob',
  });
  start.addCatch(isMacieEnabled(scope, failed), {
    errors: ['Macie2.AccessDeniedException'],
    resultPath: '$.classificationError',
  });
  start.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.classificationError' });

  const describe = macieTask(scope, S.describeClassification, 'describeClassificationJob', {
    parameters: { JobId: jobId },
    resultSelector: { 'status.$': '$.JobStatus' },
    resultPath: '$.classificationStatus',
  });
  describe.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.classificationError' });

  const details = { jobId, jobArn: sfn.JsonPath.stringAt('$.classificationJob.jobArn') };
  const poll = pollLoop(scope, {
    counterPath: '$.classificationPolls',
    startCounting: S.countClassificationPolls,
    countAnother: S.countAnotherClassificationPoll,
    wait: new sfn.Wait(scope, S.waitForClassification, {
      time: sfn.WaitTime.duration(Duration.seconds(CLASSIFICATION_POLL_SECONDS)),
    }),
    check: describe,
    maxPolls: Math.ceil(options.timeout.toSeconds() / CLASSIFICATION_POLL_SECONDS),
    decide: new sfn.Choice(scope, S.isClassificationDone)
      .when(
        sfn.Condition.stringEquals('$.classificationStatus.status', 'COMPLETE'),
        outcome(scope, S.classificationCompleted, 'completed', {
          summary: sfn.JsonPath.format(
            'Macie classification job {} completed; Macie lists its findings under this job id.',
            jobId,
          ),
          details,
        }),
      )
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.classificationStatus.status', 'CANCELLED'),
          sfn.Condition.stringEquals('$.classificationStatus.status', 'USER_PAUSED'),
        ),
        outcome(scope, S.classificationEnded, 'failed', {
          summary: sfn.JsonPath.format(
            'Macie classification job {} ended with status {}.',
            jobId,
            sfn.JsonPath.stringAt('$.classificationStatus.status'),
          ),
        }),
      ),
    onTimeout: outcome(scope, S.classificationTimedOut, 'timed-out', {
      summary: sfn.JsonPath.format(
        `Macie classification job {} did not complete within ${options.timeout.toMinutes()} minutes; it keeps running and Macie lists its findings when it completes.`,
        jobId,
      ),
      details,
    }),
  });

  return start.next(poll);
}

function classificationJobRequest(scope: Construct): Record<string, unknown> {
  return {
    ClientToken: sfn.JsonPath.stringAt('$.incident.incidentId'),
    Name: sfn.JsonPath.format('phi-guard-{}', sfn.JsonPath.stringAt('$.incident.incidentId')),
    Description: 'phi-guard: sensitive data in the objects that an incident touched.',
    JobType: 'ONE_TIME',
    ManagedDataIdentifierSelector: 'RECOMMENDED',
    S3JobDefinition: {
      BucketDefinitions: [
        { AccountId: Stack.of(scope).account, Buckets: sfn.JsonPath.listAt('$.touched.buckets') },
      ],
      Scoping: {
        Includes: {
          And: [
            {
              SimpleScopeTerm: {
                Comparator: 'STARTS_WITH',
                Key: 'OBJECT_KEY',
                Values: sfn.JsonPath.listAt('$.touched.keys'),
              },
            },
          ],
        },
      },
    },
  };
}

/**
 * Macie rejects every call with AccessDeniedException and the message "Macie is not enabled" while it
 * is off in the account and Region. Any other access denial is a failure.
 */
function isMacieEnabled(scope: Construct, failed: sfn.State): sfn.Choice {
  return new sfn.Choice(scope, S.isMacieEnabled)
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.classificationError.Cause'),
        sfn.Condition.stringMatches('$.classificationError.Cause', '*Macie is not enabled*'),
      ),
      outcome(scope, S.macieNotEnabled, 'not-enabled', {
        summary: 'Amazon Macie is not enabled in this account and Region, so no classification job ran.',
      }),
    )
    .otherwise(failed);
}

interface PollLoopParts {
  readonly counterPath: string;
  readonly startCounting: string;
  readonly countAnother: string;
  readonly wait: sfn.Wait;
  readonly check: sfn.TaskStateBase;
  /** Decides on finished states; its otherwise branch is added here. */
  readonly decide: sfn.Choice;
  readonly maxPolls: number;
  readonly onTimeout: sfn.IChainable;
}

/** Wires count -> wait -> check -> decide, looping back to wait until `maxPolls` polls have run. */
function pollLoop(scope: Construct, parts: PollLoopParts): sfn.IChainable {
  const countPath = `${parts.counterPath}.count`;
  const startCounting = new sfn.Pass(scope, parts.startCounting, {
    parameters: { count: 0 },
    resultPath: parts.counterPath,
  });
  const countAnother = new sfn.Pass(scope, parts.countAnother, {
    parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt(countPath), 1) },
    resultPath: parts.counterPath,
  });

  parts.decide
    .when(sfn.Condition.numberGreaterThanEquals(countPath, parts.maxPolls - 1), parts.onTimeout)
    .otherwise(countAnother.next(parts.wait));
  return startCounting.next(parts.wait).next(parts.check).next(parts.decide);
}

/** Creates a Pass state whose output is one `InvestigationOutcome`. */
function outcome(scope: Construct, name: string, status: string, fields: Record<string, unknown>): sfn.Pass {
  return new sfn.Pass(scope, name, { parameters: { status, ...fields } });
}

function failedOutcome(scope: Construct, name: string, summary: string, errorPath: string): sfn.Pass {
  return outcome(scope, name, 'failed', {
    summary,
    error: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(errorPath)),
  });
}

function athenaTask(
  scope: Construct,
  name: string,
  action: string,
  trailHistory: TrailHistoryTable,
  props: Pick<tasks.CallAwsServiceProps, 'parameters' | 'resultSelector' | 'resultPath'>,
): tasks.CallAwsService {
  const workGroupArn = Stack.of(scope).formatArn({
    service: 'athena',
    resource: 'workgroup',
    resourceName: trailHistory.workGroupName,
  });
  return new tasks.CallAwsService(scope, name, {
    service: 'athena',
    action,
    iamAction: iamActionOf('athena', action),
    iamResources: [workGroupArn],
    ...props,
  });
}

function macieTask(
  scope: Construct,
  name: string,
  action: string,
  props: Pick<tasks.CallAwsServiceProps, 'parameters' | 'resultSelector' | 'resultPath'>,
): tasks.CallAwsService {
  const jobArns = Stack.of(scope).formatArn({
    service: 'macie2',
    resource: 'classification-job',
    resourceName: '*',
  });
  return new tasks.CallAwsService(scope, name, {
    service: 'macie2',
    action,
    iamAction: iamActionOf('macie2', action),
    iamResources: [jobArns],
    ...props,
  });
}

/** IAM spells actions in PascalCase (`athena:StartQueryExecution`), SDK integrations in camelCase. */
function iamActionOf(service: string, action: string): string {
  return `${service}:${action.charAt(0).toUpperCase()}${action.slice(1)}`;
}
