import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INLINE_POLICY_REASON } from './lambda-defaults';
import { deadLetterQueueAlarm, type OperationsAlarms } from './operations-alarms';

/** Partition key of events whose principal has an ARN: all of one principal's accesses stay in order. */
export const PRINCIPAL_PARTITION_KEY_PATH = '$.detail.userIdentity.arn';
/**
 * Partition key of events without `userIdentity.arn` (anonymous requests, AWSAccount and AWSService
 * identities). EventBridge documents no behaviour for a partition key path that is absent from the
 * event, so these events go through their own rule keyed by the EventBridge event id, which is
 * always present.
 */
export const EVENT_ID_PARTITION_KEY_PATH = '$.id';

export interface EventIngestionProps {
  /** Names of the PHI buckets whose CloudTrail data events the rule forwards. */
  readonly bucketNames: readonly string[];
  /** Bucket ARNs of the same buckets, which match copies whose source is a PHI object. */
  readonly bucketArns: readonly string[];
  /**
   * Number of shards. When undefined, the stream uses on-demand capacity.
   * @default - on-demand capacity
   */
  readonly shardCount?: number;
  /**
   * How long the stream keeps records. Seven days let the validator catch up, and operators replay
   * records that its dead-letter queue names, after an outage as long as a weekend.
   * @default Duration.days(7)
   */
  readonly retentionPeriod?: Duration;
  /**
   * Removal policy of the stream's KMS key and the rule's dead-letter queue key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Thresholds of the ingestion alarms. */
export interface IngestionAlarmThresholds {
  /**
   * Age of the oldest unread record at which the alarm fires. The validator polls every second and
   * Firehose within its buffering interval, so an age of minutes means a consumer has fallen behind.
   * @default Duration.minutes(5)
   */
  readonly maxIteratorAge?: Duration;
  /**
   * Records that the stream rejected by throttling within five minutes at which the alarm fires.
   * EventBridge retries them, so the alarm is an early warning of a stream at its capacity.
   * @default 1
   */
  readonly writeThrottledRecords?: number;
  /**
   * Failed invocations of one rule's stream target within five minutes at which the alarm fires.
   * @default 1
   */
  readonly failedInvocations?: number;
}

/**
 * Carries CloudTrail S3 data events of the PHI buckets from the default event bus into a Kinesis
 * data stream encrypted with a customer-managed key. Events that EventBridge cannot deliver after
 * its retries go to an encrypted SQS dead-letter queue.
 */
export class EventIngestion extends Construct {
  /** The stream of CloudTrail events, partitioned by principal. */
  public readonly stream: kinesis.Stream;
  /** KMS key of the stream. Consumers need `kms:Decrypt` on it. */
  public readonly streamKey: kms.Key;
  /** Rule for events whose principal has an ARN. */
  public readonly principalRule: events.Rule;
  /** Rule for events without a principal ARN. */
  public readonly noArnRule: events.Rule;
  /** Dead-letter queue of both rules' stream target. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Role that EventBridge assumes to write to the stream. */
  public readonly targetRole: iam.Role;

  constructor(scope: Construct, id: string, props: EventIngestionProps) {
    super(scope, id);
    if (props.bucketNames.length === 0) {
      throw new Error('EventIngestion needs at least one PHI bucket name, got none.');
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.streamKey = new kms.Key(this, 'StreamKey', {
      description: 'phi-guard: encrypts the stream of CloudTrail S3 data events',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.stream = new kinesis.Stream(this, 'Stream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.streamKey,
      streamMode:
        props.shardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      retentionPeriod: props.retentionPeriod ?? Duration.days(7),
    });
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason: 'The stream carries PHI object keys, so its key is customer-managed, rotated and audited.',
    });

    this.deadLetterQueue = createDeadLetterQueue(this, removalPolicy);
    this.targetRole = createTargetRole(this, this.stream, this.streamKey);
    this.principalRule = this.createRule('PrincipalRule', props, true, PRINCIPAL_PARTITION_KEY_PATH);
    this.noArnRule = this.createRule('NoArnRule', props, false, EVENT_ID_PARTITION_KEY_PATH);
  }

  /**
   * Adds alarms on the stream's iterator age and write throttles, on failed invocations of both rules,
   * and on messages in the rules' dead-letter queue.
   */
  public addAlarms(alarms: OperationsAlarms, thresholds: IngestionAlarmThresholds = {}): void {
    const period = Duration.minutes(5);
    const failedInvocations = (rule: events.Rule) => ({
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: cloudwatch.Stats.SUM,
        period,
      }),
      threshold: thresholds.failedInvocations ?? 1,
      description: `EventBridge rule ${rule.ruleName} failed to put events into the stream. The events are retried for a day, then go to the dead-letter queue.`,
    });

    alarms.addAlarms(this, 'Ingestion: EventBridge rules and Kinesis stream', {
      StreamIteratorAge: {
        metric: this.stream.metricGetRecordsIteratorAgeMilliseconds({
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
        }),
        threshold: (thresholds.maxIteratorAge ?? Duration.minutes(5)).toMilliseconds(),
        description:
          'A consumer of the event stream has fallen behind. Check the validator and the evidence delivery stream.',
      },
      StreamWriteThrottles: {
        metric: this.stream.metricWriteProvisionedThroughputExceeded({
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
        threshold: thresholds.writeThrottledRecords ?? 1,
        description:
          'The event stream throttled writes from EventBridge. Add shards or switch the stream to on-demand capacity.',
      },
      PrincipalRuleFailedInvocations: failedInvocations(this.principalRule),
      NoArnRuleFailedInvocations: failedInvocations(this.noArnRule),
      DeadLetterQueue: deadLetterQueueAlarm(
        this.deadLetterQueue,
        'CloudTrail events that EventBridge could not deliver',
      ),
    });
  }

  private createRule(id: string, props: EventIngestionProps, hasArn: boolean, partitionKeyPath: string) {
    const rule = new events.Rule(this, id, {
      description: `phi-guard: CloudTrail S3 data events on PHI buckets, principal ARN ${hasArn ? 'present' : 'absent'}`,
      eventPattern: phiDataEventPattern(props.bucketNames, props.bucketArns, hasArn),
    });
    const target: events.IRuleTarget = {
      bind: () => ({
        arn: this.stream.streamArn,
        role: this.targetRole,
        kinesisParameters: { partitionKeyPath },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        // EventBridge's maximum: throttled writes keep retrying for a day before the dead-letter queue.
        retryPolicy: { maximumEventAgeInSeconds: Duration.hours(24).toSeconds(), maximumRetryAttempts: 185 },
      }),
    };
    rule.addTarget(target);
    allowRuleToSendToQueue(this.deadLetterQueue, rule);
    return rule;
  }
}

/**
 * Builds the event pattern for CloudTrail S3 data events that touch a PHI bucket: requests on the
 * bucket itself, and copies whose source object is in it (the destination is then another bucket).
 */
export function phiDataEventPattern(
  bucketNames: readonly string[],
  bucketArns: readonly string[],
  hasArn: boolean,
): events.EventPattern {
  return {
    source: ['aws.s3'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventCategory: ['Data'],
      userIdentity: { arn: [{ exists: hasArn }] },
      $or: [
        { requestParameters: { bucketName: [...bucketNames] } },
        { resources: { ARN: bucketArns.map((arn) => ({ prefix: `${arn}/` })) } },
      ],
    },
  };
}

function createDeadLetterQueue(scope: Construct, removalPolicy: RemovalPolicy): sqs.Queue {
  const key = new kms.Key(scope, 'DeadLetterKey', {
    description: 'phi-guard: encrypts CloudTrail events that EventBridge could not deliver',
    enableKeyRotation: true,
    removalPolicy,
  });
  const stack = Stack.of(scope);
  // EventBridge encrypts messages for the queue with this key, only on behalf of this account's rules.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*` },
      },
    }),
  );

  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue of the EventBridge rules.',
  });
  return queue;
}

function createTargetRole(scope: Construct, stream: kinesis.IStream, key: kms.IKey): iam.Role {
  const role = new iam.Role(scope, 'TargetRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    description: 'phi-guard: lets EventBridge put CloudTrail events into the ingestion stream',
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
      resources: [stream.streamArn],
    }),
  );
  role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }));
  Validations.of(role).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
  return role;
}

function allowRuleToSendToQueue(queue: sqs.Queue, rule: events.Rule): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }),
  );
}
