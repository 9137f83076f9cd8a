import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeFinding, wildcardResourceFindingId } from '../compliance';
import { buildHistoryQuery, buildClassificationJob, INVESTIGATION_STATES } from './response-investigation';
import { PhiGuardFunction } from './lambda-defaults';
import { type OperationsAlarms, type WorkflowAlarmThresholds, workflowAlarms } from './operations-alarms';
import type { TrailHistoryTable } from './trail-history-table';
import { acknowledgeWorkflowRole, grantItemAccess, invokeLambda, workflowLogGroup } from './triage-workflow';

/** State names of the response workflow, which the local runner maps its task handlers to. */
export const RESPONSE_STATES = {
  contain: 'Contain principal',
  formatEscalation: 'Format escalation alert',
  publishEscalation: 'Publish escalation alert',
  containmentFailed: 'Containment failed',
  formatAlert: 'Format incident alert',
  publishAlert: 'Publish incident alert',
  investigate: 'Investigate',
  report: 'Write incident report',
  formatReportNotice: 'Format report notice',
  publishReportNotice: 'Publish report notice',
  done: 'Response complete',
  ...INVESTIGATION_STATES,
} as const;

/** Key prefix of incident reports in the evidence bucket. */
export const REPORTS_PREFIX = 'reports/';

export interface ResponseWorkflowProps {
  /** Incidents table that the report step reads and records the report location in. */
  readonly incidentsTable: dynamodb.ITable;
  /** Function of the containment step (see `ContainmentFunction`). */
  readonly containmentFunction: lambda.IFunction;
  /** Topic that receives the alert, the escalation and the report notice. */
  readonly alertsTopic: sns.ITopic;
  /** Key that encrypts `alertsTopic`; the workflow needs it to publish. */
  readonly alertsKey: kms.IKey;
  /** Object Lock bucket that reports are written to, under `reports/`. */
  readonly evidenceBucket: s3.IBucket;
  /**
   * Key that encrypts the evidence bucket.
   * @default - the evidence bucket's encryption key, if it has one
   */
  readonly evidenceKey?: kms.IKey;
  /** Object Lock retention of each report, in days. */
  readonly reportRetentionDays: number;
  /** Object Lock mode of each report: `COMPLIANCE` cannot be shortened by anyone, `GOVERNANCE` by privileged users. */
  readonly objectLockMode: 'COMPLIANCE' | 'GOVERNANCE';
  /** CloudTrail table and Athena workgroup that the history query runs in. */
  readonly trailHistory: TrailHistoryTable;
  /** Days of CloudTrail history before the incident that the history query covers. */
  readonly investigationLookbackDays: number;
  /**
   * Time after which a running history query is stopped and reported as timed out.
   * @default Duration.minutes(10)
   */
  readonly historyQueryTimeout?: Duration;
  /**
   * Time after which the workflow stops waiting for the Macie job and reports it as timed out.
   * The job itself keeps running and its findings still appear in Macie.
   * @default Duration.minutes(30)
   */
  readonly classificationTimeout?: Duration;
  /**
   * Removal policy of the execution log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The Standard workflow that responds to one new incident, in this order:
 * 1. Contain the principal. If containment fails, publish an escalation alert and fail the execution.
 * 2. Alert the security team.
 * 3. Investigate in parallel: an Athena query over the CloudTrail history and a Macie job over the
 *    touched objects. A failed branch is recorded in the report instead of stopping the response.
 * 4. Write the hash-chained report and announce it.
 *
 * Input: `{ incident: Incident, touched: { buckets: string[], keys: string[] } }`.
 */
export class ResponseWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly formatAlertFunction: PhiGuardFunction;
  public readonly reportFunction: PhiGuardFunction;

  constructor(scope: Construct, id: string, props: ResponseWorkflowProps) {
    super(scope, id);
    validateProps(props);

    this.formatAlertFunction = new PhiGuardFunction(this, 'FormatAlertFunction', {
      entry: 'src/handlers/format-alert.ts',
      description: 'Formats the subject and message of an incident alert.',
      serviceName: 'phi-guard-format-alert',
    });
    this.reportFunction = this.createReportFunction(props);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'phi-guard response: contain, alert, investigate, report.',
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(props)),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: {
        destination: workflowLogGroup(this, 'response', props.logRemovalPolicy),
        level: sfn.LogLevel.ALL,
        // Execution data contains object keys, which can name patients. The incident and its report keep them.
        includeExecutionData: false,
      },
    });
    this.grantServiceTasks(props);
  }

  /** Adds alarms on failed and timed-out response executions; a failed containment fails its execution. */
  public addAlarms(alarms: OperationsAlarms, thresholds: WorkflowAlarmThresholds = {}): void {
    alarms.addAlarms(this, 'Response workflow', workflowAlarms(this.stateMachine, 'Response', thresholds));
  }

  private createReportFunction(props: ResponseWorkflowProps): PhiGuardFunction {
    const fn = new PhiGuardFunction(this, 'ReportFunction', {
      entry: 'src/handlers/report.ts',
      description: 'Writes the hash-chained incident report to the evidence bucket.',
      serviceName: 'phi-guard-report',
      timeout: Duration.seconds(60),
      environment: {
        EVIDENCE_BUCKET_NAME: props.evidenceBucket.bucketName,
        INCIDENTS_TABLE_NAME: props.incidentsTable.tableName,
        REPORT_RETENTION_DAYS: String(props.reportRetentionDays),
        OBJECT_LOCK_MODE: props.objectLockMode,
      },
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectRetention'],
        resources: [props.evidenceBucket.arnForObjects(`${REPORTS_PREFIX}*`)],
      }),
    );
    const evidenceKey = props.evidenceKey ?? props.evidenceBucket.encryptionKey;
    evidenceKey?.grant(fn, 'kms:GenerateDataKey');
    grantItemAccess(props.incidentsTable, fn, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.evidenceBucket)}.Arn>/${REPORTS_PREFIX}*]`,
      reason: 'Report keys carry the incident id and date, so the grant covers the reports prefix.',
    });
    return fn;
  }

  private definition(props: ResponseWorkflowProps): sfn.IChainable {
    const contain = invokeLambda(this, RESPONSE_STATES.contain, props.containmentFunction, {
      payload: sfn.TaskInput.fromObject({ incident: sfn.JsonPath.objectAt('$.incident') }),
      resultPath: '$.containment',
    });
    contain.addCatch(this.escalation(props), { errors: ['States.ALL'], resultPath: '$.containmentError' });

    return contain
      .next(this.formatAlert(RESPONSE_STATES.formatAlert, { kind: 'incident' }, '$.alert'))
      .next(this.publish(RESPONSE_STATES.publishAlert, props.alertsTopic, '$.alert'))
      .next(this.investigation(props))
      .next(
        invokeLambda(this, RESPONSE_STATES.report, this.reportFunction, {
          payload: sfn.TaskInput.fromObject({
            incident: sfn.JsonPath.objectAt('$.incident'),
            containment: sfn.JsonPath.objectAt('$.containment'),
            investigation: sfn.JsonPath.objectAt('$.investigation'),
          }),
          resultPath: '$.report',
        }),
      )
      .next(
        this.formatAlert(
          RESPONSE_STATES.formatReportNotice,
          { kind: 'report', report: sfn.JsonPath.objectAt('$.report') },
          '$.reportNotice',
        ),
      )
      .next(this.publish(RESPONSE_STATES.publishReportNotice, props.alertsTopic, '$.reportNotice'))
      .next(new sfn.Succeed(this, RESPONSE_STATES.done));
  }

  /** Publishes an escalation alert and fails the execution, so that a failed containment is seen twice. */
  private escalation(props: ResponseWorkflowProps): sfn.IChainable {
    const format = new tasks.LambdaInvoke(this, RESPONSE_STATES.formatEscalation, {
      lambdaFunction: this.formatAlertFunction,
      payload: sfn.TaskInput.fromObject({
        incident: sfn.JsonPath.objectAt('$.incident'),
        // NOTE: the alert formatter requires a containment result, which a failed containment never
        // returned, so this placeholder takes its place. The error in the alert describes the failure.
        containment: {
          status: 'alert-only',
          strategy: 'none',
          detail: 'Containment failed before it returned a result.',
        },
        kind: 'escalation',
        error: sfn.JsonPath.objectAt('$.containmentError'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.escalation',
    });
    return format
      .next(this.publish(RESPONSE_STATES.publishEscalation, props.alertsTopic, '$.escalation'))
      .next(
        new sfn.Fail(this, RESPONSE_STATES.containmentFailed, {
          error: 'ContainmentFailed',
          cause: 'Containment failed; an escalation alert was published to the security alerts topic.',
        }),
      );
  }

  private formatAlert(
    stateName: string,
    fields: Record<string, unknown>,
    resultPath: string,
  ): sfn.TaskStateBase {
    return invokeLambda(this, stateName, this.formatAlertFunction, {
      payload: sfn.TaskInput.fromObject({
        incident: sfn.JsonPath.objectAt('$.incident'),
        containment: sfn.JsonPath.objectAt('$.containment'),
        ...fields,
      }),
      resultPath,
    });
  }

  /** Publishes the `{ subject, message }` found at `alertPath` and keeps the SNS message id. */
  private publish(stateName: string, topic: sns.ITopic, alertPath: string): sfn.TaskStateBase {
    return new tasks.SnsPublish(this, stateName, {
      topic,
      subject: sfn.JsonPath.stringAt(`${alertPath}.subject`),
      message: sfn.TaskInput.fromJsonPathAt(`${alertPath}.message`),
      resultSelector: { 'messageId.$': '$.MessageId' },
      resultPath: `${alertPath}.published`,
    });
  }

  private investigation(props: ResponseWorkflowProps): sfn.IChainable {
    const history = buildHistoryQuery(this, {
      trailHistory: props.trailHistory,
      lookbackDays: props.investigationLookbackDays,
      timeout: props.historyQueryTimeout ?? Duration.minutes(10),
    });
    const classification = buildClassificationJob(this, {
      timeout: props.classificationTimeout ?? Duration.minutes(30),
    });
    return new sfn.Parallel(this, RESPONSE_STATES.investigate, {
      comment: 'Each branch ends in an InvestigationOutcome, even when its service fails.',
      resultSelector: { 'athena.$': '$[0]', 'macie.$': '$[1]' },
      resultPath: '$.investigation',
    })
      .branch(history)
      .branch(classification);
  }

  /**
   * Grants what the tasks' own statements leave out: the alerts key for SNS Publish, and the Glue table,
   * trail bucket and results bucket that an Athena query reads and writes with the caller's permissions.
   */
  private grantServiceTasks(props: ResponseWorkflowProps): void {
    props.alertsKey.grant(this.stateMachine, 'kms:GenerateDataKey', 'kms:Decrypt');
    props.trailHistory.grantQuery(this.stateMachine);

    acknowledgeWorkflowRole(this.stateMachine, [
      props.containmentFunction,
      this.formatAlertFunction,
      this.reportFunction,
    ]);
    const role = Validations.of(this.stateMachine.role);
    acknowledgeFinding(this.stateMachine.role, {
      id: wildcardResourceFindingId(
        this,
        Stack.of(this).formatArn({ service: 'macie2', resource: 'classification-job', resourceName: '*' }),
      ),
      reason:
        'Macie assigns the job id when it creates a job, so no narrower resource names the job to start and describe.',
    });
    for (const [bucket, prefix] of props.trailHistory.objectGrants()) {
      role.acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/${prefix}*]`,
        reason: 'Athena reads every log file under the trail prefix and writes results under its own keys.',
      });
    }
  }
}

function validateProps(props: ResponseWorkflowProps): void {
  if (!Number.isInteger(props.reportRetentionDays) || props.reportRetentionDays < 1) {
    throw new Error(
      `reportRetentionDays must be a whole number of at least 1, got ${props.reportRetentionDays}.`,
    );
  }
  if (!Number.isInteger(props.investigationLookbackDays) || props.investigationLookbackDays < 1) {
    throw new Error(
      `investigationLookbackDays must be a whole number of at least 1, got ${props.investigationLookbackDays}.`,
    );
  }
}

function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return Stack.of(construct).getLogicalId(resource);
}
