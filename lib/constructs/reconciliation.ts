import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { RECONCILE_METRICS } from '../../src/reconcile/metrics';
import { REPORT_PREFIX } from '../../src/reconcile/report';
import { EVENTS_TABLE_NAME, type AuditQueries } from './audit-queries';
import { arnReference, EVENTS_PREFIX } from './evidence-archive';
import { INLINE_POLICY_REASON, PhiGuardFunction } from './lambda-defaults';
import type { TrailHistoryTable } from './trail-history-table';

/** Hours of event time that one scheduled run covers unless `windowHours` is set. */
export const DEFAULT_WINDOW_HOURS = 26;

/** `service` dimension of the run's metrics (Powertools adds it to every metric). */
export const RECONCILE_SERVICE_NAME = 'phi-guard-reconcile';

export interface ReconciliationProps {
  /** The ingestion stream that missing events are put back into. */
  readonly stream: kinesis.IStream;
  /** Key of the stream; the run needs `kms:GenerateDataKey` on it to put records. */
  readonly streamKey: kms.IKey;
  /** Glue table and Athena workgroup over the trail's log files; the queries run in its workgroup. */
  readonly trailHistory: TrailHistoryTable;
  /** Bucket of the trail's log files, the table's location; the run reads the log files of missing events. */
  readonly trailBucket: s3.IBucket;
  /** Glue table over the evidence archive's `events/` prefix. */
  readonly auditQueries: AuditQueries;
  /** The evidence bucket: the archive that is compared, and the home of the reconciliation report. */
  readonly evidenceBucket: s3.IBucket;
  /** Key of the evidence bucket. */
  readonly evidenceKey: kms.IKey;
  /** Names of the PHI buckets, whose data events the run expects in the archive. */
  readonly monitoredBucketNames: readonly string[];
  /** EventBridge Scheduler expression of the run, such as `rate(1 day)` or `cron(0 3 * * ? *)`. */
  readonly schedule: string;
  /**
   * Hours of event time that one scheduled run covers. Longer than the schedule interval, so that
   * consecutive windows overlap.
   * @default 26
   */
  readonly windowHours?: number;
  /**
   * Hours before the run time that the run leaves to the next one, while CloudTrail, EventBridge
   * retries and Firehose buffering may still deliver events.
   * @default 2
   */
  readonly settleHours?: number;
  /**
   * Missing events that one run re-injects at most; the rest are reported as deferred.
   * @default 100000
   */
  readonly maxReinjectedEvents?: number;
  /**
   * Removal policy of the function's log group and the dead-letter queue.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Scheduled reconciliation. A Lambda function uses Athena to compare the S3 data events that CloudTrail
 * wrote to the trail bucket with the events in the evidence archive. It puts every missing event back
 * into the stream, so that the validator decides it, and appends the run's counts to a report in the
 * evidence bucket. One alarm fires when two runs in a row had to re-inject events, another when a run fails.
 */
export class Reconciliation extends Construct {
  public readonly function: PhiGuardFunction;
  public readonly schedule: scheduler.Schedule;
  /** Receives scheduled invocations that failed every retry. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Two consecutive runs re-injected events: something keeps losing events. */
  public readonly repeatedReinjectionAlarm: cloudwatch.Alarm;
  /** A run failed (Athena, S3, Kinesis or the report), so events may be missing unnoticed. */
  public readonly runFailedAlarm: cloudwatch.Alarm;
  /** Every alarm of the construct, for the operations topic. */
  public readonly alarms: readonly cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    if (props.monitoredBucketNames.length === 0) {
      throw new Error('Reconciliation needs at least one monitored bucket name, got none.');
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    this.function = this.createFunction(props, removalPolicy);
    this.grantRun(props);

    const scheduleRole = createSchedulerRole(this, 'ScheduleRole');
    acknowledgeInvokeVersions(scheduleRole, this.function);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'phi-guard: compares the trail with the evidence archive and re-injects missing events',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new targets.LambdaInvoke(this.function, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });

    this.repeatedReinjectionAlarm = this.createRepeatedReinjectionAlarm();
    this.runFailedAlarm = new cloudwatch.Alarm(this, 'RunFailedAlarm', {
      alarmDescription:
        'phi-guard reconciliation run failed; missing events may go unnoticed. See docs/reconciliation.md.',
      metric: this.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [this.repeatedReinjectionAlarm, this.runFailedAlarm];
  }

  private createFunction(props: ReconciliationProps, removalPolicy: RemovalPolicy): PhiGuardFunction {
    return new PhiGuardFunction(this, 'Function', {
      entry: 'src/handlers/reconcile-run.ts',
      description: 'phi-guard reconciliation: re-injects CloudTrail events missing from the evidence archive',
      serviceName: RECONCILE_SERVICE_NAME,
      memorySize: 1024,
      // Two Athena queries over a day of events and the re-injection fit well within the Lambda maximum.
      timeout: Duration.minutes(15),
      deadLetterQueue: this.deadLetterQueue,
      logRemovalPolicy: removalPolicy,
      environment: {
        STREAM_NAME: props.stream.streamName,
        EVIDENCE_BUCKET: props.evidenceBucket.bucketName,
        ATHENA_WORKGROUP: props.trailHistory.workGroupName,
        TRAIL_DATABASE: props.trailHistory.databaseName,
        TRAIL_TABLE: props.trailHistory.tableName,
        ARCHIVE_DATABASE: props.auditQueries.databaseName,
        ARCHIVE_TABLE: EVENTS_TABLE_NAME,
        MONITORED_BUCKETS: props.monitoredBucketNames.join(','),
        WINDOW_HOURS: String(props.windowHours ?? DEFAULT_WINDOW_HOURS),
        SETTLE_HOURS: String(props.settleHours ?? 2),
        MAX_REINJECTED_EVENTS: String(props.maxReinjectedEvents ?? 100_000),
        QUERY_TIMEOUT_SECONDS: '600',
      },
    });
  }

  /**
   * Grants what the environment implies: queries in the trail workgroup (trail table, log files and
   * results), reads of the archive table and its `events/` objects, `kinesis:PutRecords` on the stream,
   * and reads and writes of the report objects.
   */
  private grantRun(props: ReconciliationProps): void {
    const stack = Stack.of(this);
    const fn = this.function;
    props.trailHistory.grantQuery(fn);

    const database = props.auditQueries.databaseName;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }),
          stack.formatArn({
            service: 'glue',
            resource: 'table',
            resourceName: `${database}/${EVENTS_TABLE_NAME}`,
          }),
        ],
      }),
    );
    const bucket = props.evidenceBucket;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [bucket.bucketArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${EVENTS_PREFIX}*`), bucket.arnForObjects(`${REPORT_PREFIX}*`)],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${REPORT_PREFIX}*`)],
      }),
    );
    props.evidenceKey.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');

    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kinesis:PutRecords'], resources: [props.stream.streamArn] }),
    );
    props.streamKey.grant(fn, 'kms:GenerateDataKey');
    this.acknowledgeWildcards(props);
  }

  private createRepeatedReinjectionAlarm(): cloudwatch.Alarm {
    // The run counts consecutive runs with re-injection itself, from the report's previous line, so the
    // alarm works for any schedule and needs no evaluation range spanning two runs.
    const metric = new cloudwatch.Metric({
      namespace: 'PhiGuard',
      metricName: RECONCILE_METRICS.consecutiveRuns,
      dimensionsMap: { service: RECONCILE_SERVICE_NAME },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.days(1),
    });
    return new cloudwatch.Alarm(this, 'RepeatedReinjectionAlarm', {
      alarmDescription:
        'phi-guard reconciliation re-injected missing events in two consecutive runs: the path from CloudTrail to the archive keeps losing events. See docs/reconciliation.md.',
      metric,
      threshold: 2,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Between runs there is no data point; the alarm keeps its state until the next run reports.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
  }

  private acknowledgeWildcards(props: ReconciliationProps): void {
    const role = this.function.role;
    if (role === undefined) return;
    const objects = (bucket: IConstruct, prefix: string, reason: string) => ({
      id: `AwsSolutions-IAM5[Resource::${arnReference(bucket)}/${prefix}*]`,
      reason,
    });
    Validations.of(role).acknowledge(
      objects(props.trailBucket, 'AWSLogs/', 'CloudTrail names each log file it delivers under this prefix.'),
      objects(
        props.evidenceBucket,
        EVENTS_PREFIX,
        'Firehose names each archive object it writes under this prefix.',
      ),
      objects(
        props.evidenceBucket,
        REPORT_PREFIX,
        'The run writes one report object per month under this prefix.',
      ),
      objects(
        props.trailHistory.resultsBucket,
        'athena/',
        'Athena names each query result object it writes under this prefix.',
      ),
    );
  }
}

/**
 * Creates the role that EventBridge Scheduler assumes to invoke functions, for this account's schedules
 * only. `LambdaInvoke` grants it `lambda:InvokeFunction` on each target function and its versions.
 */
export function createSchedulerRole(scope: Construct, id: string): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: 'phi-guard: lets EventBridge Scheduler invoke scheduled phi-guard functions',
  });
  Validations.of(role).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
  return role;
}

/** Acknowledges the `FUNCTION:*` resource that `grantInvoke` adds next to the function ARN. */
export function acknowledgeInvokeVersions(role: iam.IRole, fn: IConstruct): void {
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnReference(fn)}:*]`,
    reason:
      'Lambda grants cover the function and its versions; the schedule invokes the unqualified function.',
  });
}
