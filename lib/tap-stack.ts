import { CfnOutput, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PhiGuardConfig, readConfig } from './config';
import { deadLetterQueueAlarm } from './constructs/operations-alarms';
import { OperationsMonitoring } from './constructs/operations-monitoring';
import { SecurityEventStack } from './security_event';

export interface TapStackProps extends StackProps {
  /**
   * Settings to use instead of CDK context. Tests and integ tests pass them directly.
   * @default - read from CDK context with `readConfig`
   */
  readonly config?: PhiGuardConfig;
}

/** The deployable phi-guard stack: reads its settings from CDK context and composes the security event pipeline. */
export class TapStack extends Stack {
  public readonly config: PhiGuardConfig;
  public readonly securityEvents: SecurityEventStack;
  /** Operations topic, dashboard and the alarms of every pipeline stage. */
  public readonly operations: OperationsMonitoring;

  constructor(scope: Construct, id: string, props: TapStackProps = {}) {
    super(scope, id, props);

    this.config = props.config ?? readConfig((key) => this.node.tryGetContext(key));
    Tags.of(this).add('application', 'phi-guard');
    Tags.of(this).add('phi-guard:profile', this.config.profile);

    this.securityEvents = new SecurityEventStack(this, 'SecurityEvents', { config: this.config });
    this.operations = new OperationsMonitoring(this, 'Operations', {
      emails: this.config.operationsEmails,
      removalPolicy: this.config.profile === 'production' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.addPipelineAlarms();
    this.addOutputs(this.securityEvents);
  }

  /** Adds each stage's alarms beside its resources, then routes alarms that stages created on their own. */
  private addPipelineAlarms(): void {
    const alarms = this.operations.alarms;
    const events = this.securityEvents;

    events.ingestion.addAlarms(alarms);
    events.validator.addAlarms(alarms);
    events.evidenceArchive.addAlarms(alarms);
    events.decisionAnalytics.addAlarms(alarms);
    events.triageWorkflow.addAlarms(alarms);
    events.responseWorkflow.addAlarms(alarms);
    alarms.addAlarms(events.reconciliation, 'Reconciliation', {
      DeadLetterQueue: deadLetterQueueAlarm(
        events.reconciliation.deadLetterQueue,
        'Scheduled reconciliation runs that failed every retry',
      ),
    });
    if (events.canary !== undefined) {
      alarms.addAlarms(events.canary, 'Canary', {
        DeadLetterQueue: deadLetterQueueAlarm(
          events.canary.deadLetterQueue,
          'Canary reads and setup runs that failed every retry',
        ),
      });
    }
    alarms.adoptAlarmsIn(events, 'Canary and reconciliation');
  }

  /** Names that operators pass to the `phi-guard` CLI and the AWS console after a deployment. */
  private addOutputs(events: SecurityEventStack): void {
    const outputs: Record<string, [string, string]> = {
      GrantsTableName: [events.grantsTable.tableName, 'phi-guard grants import/revoke --table'],
      IncidentsTableName: [events.incidentStore.table.tableName, 'phi-guard incidents show/release --table'],
      EvidenceBucketName: [
        events.evidenceArchive.bucket.bucketName,
        'Object Lock archive and incident reports',
      ],
      AlertTopicArn: [events.securityAlerts.topic.topicArn, 'security alerts; subscribe responders here'],
      ValidatorDeadLetterQueueUrl: [
        events.validatorDeadLetterQueue.queueUrl,
        'records the validator gave up on',
      ],
      OpenSearchEndpoint: [events.decisionAnalytics.domain.domainEndpoint, 'decisions index and dashboards'],
      AnalystRoleArn: [events.decisionAnalytics.analystRole.roleArn, 'read-only OpenSearch analyst role'],
      OperationsTopicArn: [this.operations.topic.topicArn, 'operational alarms; subscribe on-call here'],
      OperationsDashboardName: [
        this.operations.dashboard.dashboardName,
        'CloudWatch dashboard of the pipeline',
      ],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
