import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** One alarm that a construct declares on a resource it owns. */
export interface AlarmDefinition {
  /** Metric with its statistic and period. */
  readonly metric: cloudwatch.IMetric;
  /** Value that the metric is compared with. */
  readonly threshold: number;
  /**
   * How the metric is compared with the threshold.
   * @default cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /**
   * Consecutive periods that must breach before the alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * How periods without data count. Most phi-guard metrics are only emitted when something happens.
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /** What the alarm means and what an operator checks first, shown in the notification. */
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
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
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
export function deadLetterQueueAlarm(queue: sqs.IQueue, what: string): AlarmDefinition {
  return {
    metric: queue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
    }),
    threshold: 1,
    description: `${what} are waiting in dead-letter queue ${queue.queueName}. Read the messages, fix the cause and replay them.`,
  };
}
