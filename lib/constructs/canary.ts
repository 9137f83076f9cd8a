import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CANARY_METRICS, type CanaryRole } from '../../src/canary/metrics';
import { arnReference } from './evidence-archive';
import { PhiGuardFunction } from './lambda-defaults';
import { acknowledgeInvokeVersions, createSchedulerRole } from './reconciliation';

/** Namespace of the canary's metric filters on the validator's log group. */
export const CANARY_DECISION_NAMESPACE = 'PhiGuard/Canary';
/** Metric names of the canary's decisions, counted from the validator's log lines. */
export const CANARY_DECISION_METRICS = {
  authorized: 'CanaryAuthorizedDecisions',
  violation: 'CanaryViolationDecisions',
} as const;

const SERVICE_NAME = 'phi-guard-canary';

export interface CanaryProps {
  /** PHI bucket that contains the synthetic object. */
  readonly phiBucket: s3.IBucket;
  /** Grants table that receives the canary grants. */
  readonly grantsTable: dynamodb.ITable;
  /** Minutes between reads by the granted canary role. */
  readonly intervalMinutes: number;
  /**
   * Minutes between reads by the ungranted canary role. Each read is a violation that opens an incident
   * and sends a security alert, so it runs less often.
   * @default 60
   */
  readonly ungrantedIntervalMinutes?: number;
  /**
   * Key of the synthetic object.
   * @default 'phi-guard-canary/synthetic-object.txt'
   */
  readonly objectKey?: string;
  /**
   * Removal policy of the functions' log groups and the dead-letter queue.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An end-to-end canary of detection. A custom resource writes a synthetic object into a PHI bucket and a
 * read grant on it for the granted canary role. A scheduled function with that role reads the object
 * every few minutes, and a second one, whose role has no grant, reads it less often. The validator
 * should decide the first read authorized and the second a violation. `watchDecisions` adds alarms that
 * fire when either decision is not recorded in time. Containment must treat both roles as protected.
 */
export class Canary extends Construct {
  public readonly grantedFunction: PhiGuardFunction;
  public readonly ungrantedFunction: PhiGuardFunction;
  public readonly setupFunction: PhiGuardFunction;
  /** Role with a grant on the synthetic object. */
  public readonly grantedRole: iam.IRole;
  /** Role without a grant, whose reads are violations; containment must list it as protected. */
  public readonly ungrantedRole: iam.IRole;
  /** Role of the custom resource that writes the object and the grants. */
  public readonly setupRole: iam.IRole;
  /** The canary's roles, all of which containment must leave alone. */
  public readonly roles: readonly iam.IRole[];
  public readonly objectKey: string;
  /** Alarms: failed reads now, missing decisions once `watchDecisions` runs. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly props: CanaryProps;
  /** Failed asynchronous invocations of the canary functions. */
  public readonly deadLetterQueue: sqs.Queue;
  private readonly scheduleRole: iam.Role;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    validateMinutes('intervalMinutes', props.intervalMinutes);
    validateMinutes('ungrantedIntervalMinutes', props.ungrantedIntervalMinutes ?? 60);
    this.props = props;
    this.objectKey = props.objectKey ?? 'phi-guard-canary/synthetic-object.txt';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });

    this.scheduleRole = createSchedulerRole(this, 'ScheduleRole');
    this.grantedFunction = this.createReader('granted', props.intervalMinutes, removalPolicy);
    this.ungrantedFunction = this.createReader(
      'ungranted',
      props.ungrantedIntervalMinutes ?? 60,
      removalPolicy,
    );
    this.setupFunction = this.createSetup(removalPolicy);
    this.grantedRole = roleOf(this.grantedFunction);
    this.ungrantedRole = roleOf(this.ungrantedFunction);
    this.setupRole = roleOf(this.setupFunction);
    this.roles = [this.grantedRole, this.ungrantedRole, this.setupRole];
  }

  /**
   * Counts the canary's decisions from the validator's log lines and alarms when the granted role's
   * authorized decision or the ungranted role's violation is missing for longer than expected. Sets
   * `CANARY_PRINCIPAL_KEYS` on the validator, which names the principals whose decisions it logs at INFO.
   */
  public watchDecisions(validator: lambda.Function): void {
    const logGroup = validator.logGroup;
    validator.addEnvironment(
      'CANARY_PRINCIPAL_KEYS',
      `${this.grantedRole.roleArn},${this.ungrantedRole.roleArn}`,
    );
    // Three reads' time for the frequent read and two plus half an hour for the hourly one absorb CloudTrail's
    // delivery delay. CloudWatch alarm periods end at one day.
    const grantedWindow = Math.min(1440, Math.max(30, 3 * this.props.intervalMinutes));
    const ungrantedWindow = Math.min(1440, 2 * (this.props.ungrantedIntervalMinutes ?? 60) + 30);

    this.alarms.push(
      this.decisionAlarm(logGroup, 'Authorized', this.grantedRole, 'authorized', grantedWindow),
      this.decisionAlarm(logGroup, 'Violation', this.ungrantedRole, 'violation', ungrantedWindow),
    );
  }

  private decisionAlarm(
    logGroup: logs.ILogGroup,
    id: string,
    role: iam.IRole,
    decision: 'authorized' | 'violation',
    windowMinutes: number,
  ): cloudwatch.Alarm {
    const metricName = CANARY_DECISION_METRICS[decision];
    // A role session's principal key is the role ARN without path; CDK creates these roles without a path.
    const filter = new logs.MetricFilter(this, `${id}DecisionFilter`, {
      logGroup,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.principalKey', '=', role.roleArn),
        logs.FilterPattern.stringValue('$.decision', '=', decision),
      ),
      metricNamespace: CANARY_DECISION_NAMESPACE,
      metricName,
      metricValue: '1',
    });
    return new cloudwatch.Alarm(this, `${id}DecisionAlarm`, {
      alarmDescription: `phi-guard canary: no ${decision} decision for the ${decision === 'authorized' ? 'granted' : 'ungranted'} canary role within ${windowMinutes} minutes. See docs/reconciliation.md.`,
      metric: filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(windowMinutes) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  private createReader(
    role: CanaryRole,
    intervalMinutes: number,
    removalPolicy: RemovalPolicy,
  ): PhiGuardFunction {
    const id = role === 'granted' ? 'Granted' : 'Ungranted';
    const fn = new PhiGuardFunction(this, `${id}Reader`, {
      entry: 'src/handlers/canary.ts',
      description: `phi-guard canary: reads the synthetic PHI object ${role === 'granted' ? 'with' : 'without'} a grant`,
      serviceName: SERVICE_NAME,
      deadLetterQueue: this.deadLetterQueue,
      logRemovalPolicy: removalPolicy,
      environment: {
        CANARY_BUCKET: this.props.phiBucket.bucketName,
        CANARY_KEY: this.objectKey,
        CANARY_ROLE: role,
      },
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.props.phiBucket.arnForObjects(this.objectKey)],
      }),
    );
    this.props.phiBucket.encryptionKey?.grantDecrypt(fn);

    new scheduler.Schedule(this, `${id}Schedule`, {
      description: `phi-guard canary: ${role} read of the synthetic PHI object`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(intervalMinutes)),
      // A missed read is not retried: the next scheduled read follows, and the alarms watch the gaps.
      target: new targets.LambdaInvoke(fn, {
        role: this.scheduleRole,
        retryAttempts: 0,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    acknowledgeInvokeVersions(this.scheduleRole, fn);
    this.alarms.push(this.readFailureAlarm(id, role));
    return fn;
  }

  private readFailureAlarm(id: string, role: CanaryRole): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, `${id}ReadFailureAlarm`, {
      alarmDescription: `phi-guard canary: the ${role} canary role could not read the synthetic PHI object. See docs/reconciliation.md.`,
      metric: new cloudwatch.Metric({
        namespace: 'PhiGuard',
        metricName: CANARY_METRICS.readFailures,
        dimensionsMap: { service: SERVICE_NAME, [CANARY_METRICS.roleDimension]: role },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private createSetup(removalPolicy: RemovalPolicy): PhiGuardFunction {
    const { phiBucket, grantsTable } = this.props;
    const fn = new PhiGuardFunction(this, 'Setup', {
      entry: 'src/handlers/canary.ts',
      handler: 'setupHandler',
      description: 'phi-guard canary setup: writes the synthetic PHI object and the canary grants',
      serviceName: SERVICE_NAME,
      timeout: Duration.minutes(2),
      logRemovalPolicy: removalPolicy,
    });
    const objectArn = phiBucket.arnForObjects(this.objectKey);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [objectArn] }),
    );
    phiBucket.encryptionKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    // Query finds the canary grants by principal key. PutItem and GetItem write a grant unless it is revoked,
    // and GetItem and UpdateItem revoke one.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [grantsTable.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${grantsTable.tableArn}/index/*`],
      }),
    );
    grantsTable.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    Validations.of(roleOf(fn)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnReference(grantsTable)}/index/*]`,
      reason: 'Writing a canary grant checks in the grants table index that no other principal uses its id.',
    });

    const resource = new CustomResource(this, 'Object', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::PhiGuardCanary',
      properties: {
        GrantsTableName: grantsTable.tableName,
        Bucket: phiBucket.bucketName,
        Key: this.objectKey,
        ReaderRoleArn: roleOf(this.grantedFunction).roleArn,
        SetupRoleArn: roleOf(fn).roleArn,
      },
    });
    // The role's policies must exist before CloudFormation invokes the function.
    resource.node.addDependency(roleOf(fn));
    return fn;
  }
}

function roleOf(fn: lambda.IFunction): iam.IRole {
  if (fn.role === undefined) {
    throw new Error(`Canary function ${fn.node.path} has no execution role.`);
  }
  return fn.role;
}

function validateMinutes(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 1440) {
    throw new Error(`Canary ${name} must be a whole number of minutes from 1 to 1440, got ${value}.`);
  }
}
