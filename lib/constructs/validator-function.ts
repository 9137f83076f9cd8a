import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { VALIDATOR_METRICS } from '../../src/validator/batch-summary';
import { PhiGuardFunction } from './lambda-defaults';
import { deadLetterQueueAlarm, type OperationsAlarms } from './operations-alarms';

/** `service` dimension that Powertools adds to every validator metric. */
const VALIDATOR_SERVICE_NAME = 'phi-guard-validator';

/** Thresholds of the validator alarms, each counted over five minutes. */
export interface ValidatorAlarmThresholds {
  /**
   * Invocations that ended in an error (a whole batch failed) at which the alarm fires.
   * @default 1
   */
  readonly errors?: number;
  /**
   * Throttled invocations at which the alarm fires.
   * @default 1
   */
  readonly throttles?: number;
  /**
   * Kinesis records reported as batch item failures at which the alarm fires. They are retried and, when
   * their retries run out, named in the dead-letter queue.
   * @default 1
   */
  readonly failedRecords?: number;
}

export interface ValidatorFunctionProps {
  /** Stream of CloudTrail S3 data events that the validator consumes. */
  readonly stream: kinesis.IStream;
  /** Grants table, which the validator only queries by principal key. */
  readonly grantsTable: dynamodb.ITable;
  /** Names of the PHI buckets. Accesses to other buckets are out of scope. */
  readonly monitoredBucketNames: readonly string[];
  /** How long the validator caches one principal's grants, in seconds. */
  readonly grantCacheTtlSeconds: number;
  /**
   * Firehose delivery stream that receives every decision.
   * @default - decisions are not delivered
   */
  readonly decisionDeliveryStream?: firehose.IDeliveryStream;
  /**
   * Express triage state machine, started once per violating principal and batch.
   * @default - violations are logged and counted but not triaged
   */
  readonly triageStateMachine?: sfn.IStateMachine;
  /**
   * Records per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the event source mapping gathers records before it invokes the function.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a failed batch (after bisection) before its position goes to the dead-letter queue.
   * @default 5
   */
  readonly retryAttempts?: number;
  /**
   * Age after which a record is no longer retried and its position goes to the dead-letter queue.
   * A day lets the validator catch up after a long outage, and the stream keeps the records longer
   * than that, so operators can replay what the queue names.
   * @default Duration.days(1)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Memory in MiB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Maximum run time of one batch.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Removal policy of the dead-letter queue, its key and the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The validator Lambda: reads the event stream in order per shard, decides every PHI access
 * against the grants table, delivers decisions and starts triage for violators. A batch that keeps
 * failing is split until the failing record is isolated. When that record's retries or age run
 * out, its shard position and batch metadata go to an encrypted SQS dead-letter queue.
 */
export class ValidatorFunction extends Construct {
  /** The validator function. */
  public readonly function: PhiGuardFunction;
  /** On-failure destination of the event source mapping. Its messages name the shard and sequence numbers. */
  public readonly deadLetterQueue: sqs.Queue;
  /** KMS key of the dead-letter queue. */
  public readonly deadLetterKey: kms.Key;
  /** The Kinesis event source of the function. */
  public readonly eventSource: KinesisEventSource;

  constructor(scope: Construct, id: string, props: ValidatorFunctionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.function = new PhiGuardFunction(this, 'Function', {
      entry: 'src/handlers/validator.ts',
      description: 'phi-guard validator: decides each PHI access in S3 against the grants table',
      serviceName: VALIDATOR_SERVICE_NAME,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      environment: {
        GRANTS_TABLE_NAME: props.grantsTable.tableName,
        MONITORED_BUCKETS: props.monitoredBucketNames.join(','),
        GRANT_CACHE_TTL_SECONDS: String(props.grantCacheTtlSeconds),
      },
      logRemovalPolicy: removalPolicy,
    });
    this.grantTableQuery(props.grantsTable);
    this.connectDecisionDelivery(props.decisionDeliveryStream);
    this.connectTriage(props.triageStateMachine);

    this.deadLetterKey = new kms.Key(this, 'DeadLetterKey', {
      description: 'phi-guard: encrypts the validator dead-letter queue',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.deadLetterKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the validator event source mapping.',
    });

    this.eventSource = new KinesisEventSource(props.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
      // One batch at a time per shard keeps each principal's events in order.
      parallelizationFactor: 1,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? 5,
      maxRecordAge: props.maxRecordAge ?? Duration.days(1),
      onFailure: this.onFailureDestination(),
    });
    this.function.addEventSource(this.eventSource);
  }

  /** Adds alarms on the function's errors and throttles, its batch item failures and its dead-letter queue. */
  public addAlarms(alarms: OperationsAlarms, thresholds: ValidatorAlarmThresholds = {}): void {
    const period = Duration.minutes(5);
    alarms.addAlarms(this, 'Validator', {
      Errors: {
        metric: this.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period }),
        threshold: thresholds.errors ?? 1,
        description:
          'Validator invocations failed as a whole. Search the validator log group for level ERROR.',
      },
      Throttles: {
        metric: this.function.metricThrottles({ statistic: cloudwatch.Stats.SUM, period }),
        threshold: thresholds.throttles ?? 1,
        description:
          'Validator invocations were throttled. Check the account concurrency quota and reserved concurrency.',
      },
      FailedRecords: {
        // Embedded metric format, in PhiGuardFunction's default namespace.
        metric: new cloudwatch.Metric({
          namespace: 'PhiGuard',
          metricName: VALIDATOR_METRICS.failedRecords,
          dimensionsMap: { service: VALIDATOR_SERVICE_NAME },
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
        threshold: thresholds.failedRecords ?? 1,
        description:
          'The validator reported Kinesis records as failed, such as after a failed grant lookup. They are retried.',
      },
      DeadLetterQueue: deadLetterQueueAlarm(
        this.deadLetterQueue,
        'Stream positions of records that the validator gave up on',
      ),
    });
  }

  /**
   * Returns the dead-letter queue as on-failure destination, granting `sqs:SendMessage` on it and
   * `kms:GenerateDataKey` and `kms:Decrypt` on its key: the exact actions that sending to a
   * KMS-encrypted queue needs, where the CDK's `SqsDlq` grants the whole encrypt action family.
   */
  private onFailureDestination(): lambda.IEventSourceDlq {
    const queue = this.deadLetterQueue;
    const key = this.deadLetterKey;
    return {
      bind: (_mapping, handler) => {
        handler.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
        );
        handler.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [key.keyArn],
          }),
        );
        return { destination: queue.queueArn };
      },
    };
  }

  /** Grants `dynamodb:Query` on the table (not its indexes) and `kms:Decrypt` on its key. */
  private grantTableQuery(table: dynamodb.ITable): void {
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [table.tableArn] }),
    );
    if (table.encryptionKey) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [table.encryptionKey.keyArn] }),
      );
    }
  }

  /** Sets `DECISION_STREAM_NAME` and grants `firehose:PutRecordBatch` on that delivery stream. */
  private connectDecisionDelivery(deliveryStream: firehose.IDeliveryStream | undefined): void {
    if (!deliveryStream) {
      return;
    }
    this.function.addEnvironment('DECISION_STREAM_NAME', deliveryStream.deliveryStreamName);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecordBatch'],
        resources: [deliveryStream.deliveryStreamArn],
      }),
    );
  }

  /** Sets `TRIAGE_STATE_MACHINE_ARN` and grants `states:StartExecution` on that state machine. */
  private connectTriage(stateMachine: sfn.IStateMachine | undefined): void {
    if (!stateMachine) {
      return;
    }
    this.function.addEnvironment('TRIAGE_STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this.function);
  }
}
