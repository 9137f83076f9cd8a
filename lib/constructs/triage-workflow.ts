import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { functionLogKey, PhiGuardFunction } from './lambda-defaults';
import { type OperationsAlarms, type WorkflowAlarmThresholds, workflowAlarms } from './operations-alarms';

/** State names of the triage workflow, which the local runner maps its task handlers to. */
export const TRIAGE_STATES = {
  triage: 'Triage violations',
  isNew: 'Is the incident new?',
  joined: 'Joined an open incident',
  collectTouched: 'Collect touched objects',
  startResponse: 'Start response',
  alreadyStarted: 'Response already started',
} as const;

/**
 * Error names that Step Functions reports when an execution with the requested name exists.
 * Both spellings appear for the `states:startExecution` integration, so the catch lists both.
 */
export const EXECUTION_ALREADY_EXISTS_ERRORS = [
  'StepFunctions.ExecutionAlreadyExistsException',
  'StepFunctions.ExecutionAlreadyExists',
];

/** Transient errors of the Lambda service, retried with backoff by every Lambda task of phi-guard's workflows. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

export interface TriageWorkflowProps {
  /** Incidents table that the triage function opens and joins incidents in. */
  readonly incidentsTable: dynamodb.ITable;
  /** Violations by one principal within this many minutes join one incident. */
  readonly incidentWindowMinutes: number;
  /** Standard workflow that responds to a new incident; started once per incident, named by its id. */
  readonly responseStateMachine: sfn.IStateMachine;
  /**
   * Removal policy of the execution log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The Express workflow that the validator starts once per violating principal and batch. It opens or
 * joins the principal's incident and, for a new incident only, starts the response workflow with the
 * incident id as execution name, so that a retried or duplicated start cannot open a second response.
 */
export class TriageWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly triageFunction: PhiGuardFunction;

  constructor(scope: Construct, id: string, props: TriageWorkflowProps) {
    super(scope, id);
    if (!Number.isInteger(props.incidentWindowMinutes) || props.incidentWindowMinutes < 1) {
      throw new Error(
        `incidentWindowMinutes must be a whole number of at least 1, got ${props.incidentWindowMinutes}.`,
      );
    }

    this.triageFunction = new PhiGuardFunction(this, 'TriageFunction', {
      entry: 'src/handlers/triage.ts',
      description: 'Opens or joins the incident of one violating principal.',
      serviceName: 'phi-guard-triage',
      environment: {
        INCIDENTS_TABLE_NAME: props.incidentsTable.tableName,
        INCIDENT_WINDOW_MINUTES: String(props.incidentWindowMinutes),
      },
    });
    grantItemAccess(props.incidentsTable, this.triageFunction, ['dynamodb:GetItem', 'dynamodb:PutItem']);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      comment: 'phi-guard triage: opens or joins an incident and starts its response once.',
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(props.responseStateMachine)),
      timeout: Duration.minutes(5),
      tracingEnabled: true,
      logs: {
        destination: workflowLogGroup(this, 'triage', props.logRemovalPolicy),
        level: sfn.LogLevel.ALL,
        // Execution data contains object keys, which can name patients. The incident and its report keep them.
        includeExecutionData: false,
      },
    });
    acknowledgeWorkflowRole(this.stateMachine, [this.triageFunction]);
  }

  /** Adds alarms on failed and timed-out triage executions. */
  public addAlarms(alarms: OperationsAlarms, thresholds: WorkflowAlarmThresholds = {}): void {
    alarms.addAlarms(this, 'Triage workflow', workflowAlarms(this.stateMachine, 'Triage', thresholds));
  }

  private definition(responseStateMachine: sfn.IStateMachine): sfn.IChainable {
    const triage = invokeLambda(this, TRIAGE_STATES.triage, this.triageFunction, { resultPath: '$.triage' });

    const collectTouched = new sfn.Pass(this, TRIAGE_STATES.collectTouched, {
      parameters: {
        buckets: sfn.JsonPath.listAt('$.decisions[*].bucket'),
        keys: sfn.JsonPath.listAt('$.decisions[*].key'),
      },
      resultPath: '$.touched',
    });

    const startResponse = new tasks.StepFunctionsStartExecution(this, TRIAGE_STATES.startResponse, {
      stateMachine: responseStateMachine,
      integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
      name: sfn.JsonPath.stringAt('$.triage.incident.incidentId'),
      input: sfn.TaskInput.fromObject({
        incident: sfn.JsonPath.objectAt('$.triage.incident'),
        historyParameters: sfn.JsonPath.listAt('$.triage.historyParameters'),
        touched: {
          buckets: sfn.JsonPath.arrayUnique(sfn.JsonPath.listAt('$.touched.buckets')),
          keys: sfn.JsonPath.arrayUnique(sfn.JsonPath.listAt('$.touched.keys')),
        },
      }),
      resultPath: '$.response',
    });
    startResponse.addRetry({
      errors: ['StepFunctions.ExecutionLimitExceeded', 'StepFunctions.ExecutionLimitExceededException'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 5,
      jitterStrategy: sfn.JitterType.FULL,
    });
    startResponse.addCatch(new sfn.Succeed(this, TRIAGE_STATES.alreadyStarted), {
      errors: EXECUTION_ALREADY_EXISTS_ERRORS,
      resultPath: '$.startError',
    });

    const isNew = new sfn.Choice(this, TRIAGE_STATES.isNew)
      .when(sfn.Condition.booleanEquals('$.triage.isNew', true), collectTouched.next(startResponse))
      .otherwise(new sfn.Succeed(this, TRIAGE_STATES.joined));

    return triage.next(isNew);
  }
}

export interface InvokeLambdaOptions {
  /**
   * Event passed to the function.
   * @default - the state input
   */
  readonly payload?: sfn.TaskInput;
  /** Reference path of the function's result in the state data. */
  readonly resultPath: string;
}

/**
 * Creates a task that invokes a function and stores its result (the function's return value, without the
 * Lambda response envelope) at `resultPath`. Transient Lambda service errors are retried with exponential
 * backoff and jitter; errors that the function throws are not retried.
 */
export function invokeLambda(
  scope: Construct,
  stateName: string,
  fn: lambda.IFunction,
  options: InvokeLambdaOptions,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, stateName, {
    lambdaFunction: fn,
    payload: options.payload,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    resultPath: options.resultPath,
  });
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * Creates the execution log group of a workflow, encrypted with the stack-wide log key. The name starts
 * with `/aws/vendedlogs/`, as the Step Functions guide advises, so that enabling logging cannot
 * overflow the account's 5,120-character CloudWatch Logs resource policy.
 */
export function workflowLogGroup(
  scope: Construct,
  workflow: string,
  removalPolicy?: RemovalPolicy,
): logs.LogGroup {
  return new logs.LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `/aws/vendedlogs/states/${Stack.of(scope).stackName}-${workflow}`,
    encryptionKey: functionLogKey(scope),
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
  });
}

/**
 * Grants item-level `actions` on the table itself (not its indexes), and the KMS actions that DynamoDB
 * needs from a caller of a table encrypted with a customer managed key.
 */
export function grantItemAccess(table: dynamodb.ITable, grantee: iam.IGrantable, actions: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions, resources: [table.tableArn] }),
  );
  table.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
}

/** Records why the wildcards that CDK puts in a workflow's role are needed. */
export function acknowledgeWorkflowRole(
  stateMachine: sfn.StateMachine,
  functions: readonly lambda.IFunction[],
): void {
  const role = Validations.of(stateMachine.role);
  role.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing and CloudWatch Logs delivery actions support no resource-level permissions.',
  });
  role.acknowledge({
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    reason:
      'The policy belongs to this workflow alone and is generated from its tasks, so a managed policy adds nothing.',
  });
  for (const fn of functions) {
    const logicalId = Stack.of(stateMachine).getLogicalId(fn.node.defaultChild as CfnElement);
    role.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason: 'Step Functions invokes a function by qualified ARN as well, so the grant covers its versions.',
    });
  }
}
