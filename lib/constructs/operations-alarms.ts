import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';

/** One alarm that a construct declares on a resource it owns. */
export interface AlarmDefinition {
  /** Metric with its statistic and period. */
  readonly metric: cloudwatch.IMetric;
  /** Value that the metric is compared with. */
  readonly threshold: number;
  /**
   * Comparison of the metric with the threshold.
   * @default cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /**
   * Consecutive periods that must breach before the alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Treatment of periods without data. Most phi-guard metrics are only emitted when something happens.
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /** Meaning of the alarm and the first thing an operator checks, shown in the notification. */
  readonly description: string;
}

/** Widgets of the operations dashboard per row; each widget is a quarter of the 24-unit width. */
const WIDGETS_PER_ROW = 4;

/**
 * Creates the operations alarms that constructs declare beside their resources. Every alarm notifies the
 * operations topic when it enters ALARM and when it returns to OK, and gets a graph on the dashboard.
 */
export class OperationsAlarms {
  /** Topic that receives every alarm's state changes. */
  public readonly topic: sns.ITopic;
  /** Every alarm created so far, in creation order. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly dashboard?: cloudwatch.Dashboard;

  constructor(topic: sns.ITopic, dashboard?: cloudwatch.Dashboard) {
    this.topic = topic;
    this.dashboard = dashboard;
  }

  /**
   * Creates one alarm per entry, with the construct id `<name>Alarm` under `scope`, and adds a dashboard
   * section headed `title` with a graph of each alarm's metric and threshold.
   */
  public addAlarms(
    scope: Construct,
    title: string,
    definitions: Record<string, AlarmDefinition>,
  ): Record<string, cloudwatch.Alarm> {
    const created: Record<string, cloudwatch.Alarm> = {};
    for (const [name, definition] of Object.entries(definitions)) {
      created[name] = this.createAlarm(scope, `${name}Alarm`, definition);
    }
    this.addDashboardSection(title, Object.values(created));
    return created;
  }

  /**
   * Sends alarms under `scope` that were created without this helper to the topic and the dashboard, so
   * that no alarm of the stack fires unseen. Alarms that already have an action are left as they are.
   */
  public adoptAlarmsIn(scope: IConstruct, title: string): void {
    const adopted = scope.node
      .findAll()
      .filter((construct): construct is cloudwatch.Alarm => construct instanceof cloudwatch.Alarm)
      .filter((alarm) => !this.alarms.includes(alarm) && !hasActions(alarm));
    for (const alarm of adopted) {
      this.addActions(alarm);
    }
    this.addDashboardSection(title, adopted);
  }

  private createAlarm(scope: Construct, id: string, definition: AlarmDefinition): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: definition.metric,
      threshold: definition.threshold,
      comparisonOperator:
        definition.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: definition.evaluationPeriods ?? 1,
      treatMissingData: definition.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: definition.description,
    });
    this.addActions(alarm);
    return alarm;
  }

  private addActions(alarm: cloudwatch.Alarm): void {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }

  private addDashboardSection(title: string, alarms: readonly cloudwatch.Alarm[]): void {
    if (!this.dashboard || alarms.length === 0) {
      return;
    }
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    for (let start = 0; start < alarms.length; start += WIDGETS_PER_ROW) {
      const row = alarms.slice(start, start + WIDGETS_PER_ROW).map(
        (alarm) =>
          new cloudwatch.AlarmWidget({
            alarm,
            title: alarm.node.id.replace(/Alarm$/, ''),
            width: 24 / WIDGETS_PER_ROW,
            height: 6,
          }),
      );
      this.dashboard.addWidgets(...row);
    }
  }
}

/**
 * Returns the alarm definition for messages waiting in a dead-letter queue: any message there is an event
 * or a batch that phi-guard gave up on, so one visible message is enough.
 */
export function deadLetterQueueAlarm(queue: sqs.IQueue, contents: string): AlarmDefinition {
  return {
    metric: queue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
    }),
    threshold: 1,
    description: `${contents} are waiting in dead-letter queue ${queue.queueName}. Read the messages, fix the cause and replay them.`,
  };
}

function hasActions(alarm: cloudwatch.Alarm): boolean {
  // The L2 sets the actions as a lazy list, which resolves to undefined while the alarm has none.
  const actions: unknown = Stack.of(alarm).resolve(
    (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmActions,
  );
  return Array.isArray(actions) && actions.length > 0;
}

/** Thresholds of the alarms on a workflow's executions. */
export interface WorkflowAlarmThresholds {
  /**
   * Failed executions within five minutes at which the alarm fires.
   * @default 1
   */
  readonly failedExecutions?: number;
  /**
   * Timed-out executions within five minutes at which the alarm fires.
   * @default 1
   */
  readonly timedOutExecutions?: number;
}

/** Returns the alarm definitions for failed and timed-out executions of a state machine. */
export function workflowAlarms(
  stateMachine: sfn.IStateMachine,
  workflow: string,
  thresholds: WorkflowAlarmThresholds,
): Record<string, AlarmDefinition> {
  const period = Duration.minutes(5);
  return {
    FailedExecutions: {
      metric: stateMachine.metricFailed({ statistic: cloudwatch.Stats.SUM, period }),
      threshold: thresholds.failedExecutions ?? 1,
      description: `${workflow} executions failed. Open the failed execution in the Step Functions console and read the failed state's error.`,
    },
    TimedOutExecutions: {
      metric: stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM, period }),
      threshold: thresholds.timedOutExecutions ?? 1,
      description: `${workflow} executions timed out. Check which state was running when the execution stopped.`,
    },
  };
}

/** Thresholds of the alarms on one Firehose delivery. */
export interface DeliveryAlarmThresholds {
  /**
   * Age of the oldest record not yet delivered at which the alarm fires. Firehose's guidance is to alarm
   * when freshness exceeds the buffering interval, whose maximum is 15 minutes.
   * @default Duration.minutes(15)
   */
  readonly maxDataFreshness?: Duration;
  /**
   * Consecutive five-minute periods with failed deliveries before the alarm fires. Firehose retries a
   * failed delivery, so one failed period alone is not yet lost data.
   * @default 3
   */
  readonly failedDeliveryPeriods?: number;
}

/** Firehose destinations whose delivery metrics phi-guard watches, as the metric names spell them. */
export type DeliveryDestination = 'S3' | 'AmazonOpenSearchService';

/**
 * Returns the alarm definitions for late and failed deliveries of a Firehose delivery stream to one
 * destination: `DeliveryTo<destination>.DataFreshness` and `DeliveryTo<destination>.Success`, the ratio
 * of successful to attempted deliveries, whose minimum drops below 1 when any delivery failed.
 */
export function deliveryAlarms(
  deliveryStreamName: string,
  destination: DeliveryDestination,
  thresholds: DeliveryAlarmThresholds,
): Record<string, AlarmDefinition> {
  const metric = (name: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName: `DeliveryTo${destination}.${name}`,
      dimensionsMap: { DeliveryStreamName: deliveryStreamName },
      statistic,
      period: Duration.minutes(5),
    });
  return {
    [`DeliveryTo${destination}Freshness`]: {
      metric: metric('DataFreshness', cloudwatch.Stats.MAXIMUM),
      threshold: (thresholds.maxDataFreshness ?? Duration.minutes(15)).toSeconds(),
      description: `Firehose has not delivered records to ${destination} in time. Check the delivery stream's error log group.`,
    },
    [`DeliveryTo${destination}Failures`]: {
      metric: metric('Success', cloudwatch.Stats.MINIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: thresholds.failedDeliveryPeriods ?? 3,
      description: `Firehose deliveries to ${destination} keep failing. Check the delivery stream's error log group and the destination's permissions.`,
    },
  };
}

/** Thresholds of the OpenSearch domain alarms. */
export interface DomainAlarmThresholds {
  /**
   * Free storage of the fullest data node, in MiB, below which the alarm fires.
   * @default - a quarter of the EBS volume of one data node, as AWS recommends
   */
  readonly minFreeStorageMiB?: number;
  /**
   * JVM memory pressure, in percent, at which the alarm fires after three one-minute periods in a row.
   * @default 95, as AWS recommends
   */
  readonly maxJvmMemoryPressure?: number;
}

/**
 * Returns the alarm definitions for a domain's cluster status (red, or yellow for five minutes), free
 * storage and JVM memory pressure, with the periods of the alarms that AWS recommends for OpenSearch Service.
 */
export function domainAlarms(
  domain: opensearch.IDomain,
  volumeSizeGiB: number,
  thresholds: DomainAlarmThresholds,
): Record<string, AlarmDefinition> {
  const period = Duration.minutes(1);
  return {
    ClusterStatusRed: {
      metric: domain.metricClusterStatusRed({ statistic: cloudwatch.Stats.MAXIMUM, period }),
      threshold: 1,
      description:
        'At least one primary shard of the decision indices is unassigned, so decisions cannot be indexed.',
    },
    ClusterStatusYellow: {
      metric: domain.metricClusterStatusYellow({ statistic: cloudwatch.Stats.MAXIMUM, period }),
      threshold: 1,
      evaluationPeriods: 5,
      description: 'Replica shards of the domain are unassigned. Check node health and free storage.',
    },
    FreeStorageSpace: {
      metric: domain.metricFreeStorageSpace({ statistic: cloudwatch.Stats.MINIMUM, period }),
      threshold: thresholds.minFreeStorageMiB ?? (volumeSizeGiB * 1024) / 4,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'A data node of the domain is running out of storage. Shorten index retention or grow the volumes.',
    },
    JvmMemoryPressure: {
      metric: domain.metricJVMMemoryPressure({ statistic: cloudwatch.Stats.MAXIMUM, period }),
      threshold: thresholds.maxJvmMemoryPressure ?? 95,
      evaluationPeriods: 3,
      description: 'The domain is close to running out of JVM heap. Use larger data nodes.',
    },
  };
}
