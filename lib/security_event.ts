import { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PhiGuardConfig } from './config';
import { AuditQueries } from './constructs/audit-queries';
import { AuditTrail } from './constructs/audit-trail';
import { DecisionAnalytics } from './constructs/decision-analytics';
import { EventIngestion } from './constructs/event-ingestion';
import { EvidenceArchive } from './constructs/evidence-archive';
import { GrantStore } from './constructs/grant-store';
import type { PhiGuardFunction } from './constructs/lambda-defaults';
import { PhiBuckets } from './constructs/phi-buckets';
import { ValidatorFunction } from './constructs/validator-function';
import { ContainmentFunction } from './constructs/containment-function';
import { IncidentStore } from './constructs/incident-store';
import { ResponseWorkflow } from './constructs/response-workflow';
import { SecurityAlerts } from './constructs/security-alerts';
import { TrailHistoryTable } from './constructs/trail-history-table';
import { TriageWorkflow } from './constructs/triage-workflow';
import { Canary } from './constructs/canary';
import { Reconciliation } from './constructs/reconciliation';

export interface SecurityEventStackProps {
  /** Validated deployment settings. */
  readonly config: PhiGuardConfig;
}

/**
 * Composes phi-guard's constructs into one pipeline. It is a construct inside `TapStack`, not a
 * separate CloudFormation stack, so that every resource shares one template and one deployment.
 *
 * Detection: PHI buckets -> CloudTrail data events -> EventBridge -> Kinesis -> validator.
 */
export class SecurityEventStack extends Construct {
  /** The watched PHI buckets, imported or created. */
  public readonly phiBuckets: PhiBuckets;
  /** Every watched PHI bucket. */
  public readonly buckets: readonly s3.IBucket[];
  /** The CloudTrail trail of PHI data events and its bucket and key. */
  public readonly auditTrail: AuditTrail;
  /** Bucket that receives the trail's log files (for Athena investigation). */
  public readonly trailBucket: s3.IBucket;
  /** The EventBridge rules, the stream and their dead-letter queue. */
  public readonly ingestion: EventIngestion;
  /** Kinesis stream of CloudTrail S3 data events, partitioned by principal ARN. */
  public readonly stream: kinesis.IStream;
  /** KMS key of `stream`; every consumer needs `kms:Decrypt` on it. */
  public readonly streamKey: kms.IKey;
  /** The grants table and its key. */
  public readonly grantStore: GrantStore;
  /** The grants table. */
  public readonly grantsTable: dynamodb.ITable;
  /** The validator and its event source mapping. */
  public readonly validator: ValidatorFunction;
  /** The validator Lambda function. */
  public readonly validatorFunction: PhiGuardFunction;
  /** On-failure destination of the validator's event source mapping. */
  public readonly validatorDeadLetterQueue: sqs.IQueue;

  /** Object Lock archive of every event on the stream, and its Firehose delivery stream. */
  public readonly evidenceArchive: EvidenceArchive;
  /** OpenSearch domain, decisions delivery stream and dashboards. */
  public readonly decisionAnalytics: DecisionAnalytics;
  /** Glue table, Athena workgroup and named queries over the evidence archive. */
  public readonly auditQueries: AuditQueries;

  /** The incidents table and its key. */
  public readonly incidentStore: IncidentStore;
  /** SNS topic of security alerts and its key. */
  public readonly securityAlerts: SecurityAlerts;
  /** Glue table and Athena workgroup over the trail's log files, for investigations. */
  public readonly trailHistory: TrailHistoryTable;
  /** The containment function of the response workflow. */
  public readonly containment: ContainmentFunction;
  /** Standard workflow that contains, alerts, investigates and reports one incident. */
  public readonly responseWorkflow: ResponseWorkflow;
  /** Express workflow that opens or joins an incident and starts its response once. */
  public readonly triageWorkflow: TriageWorkflow;

  /** Scheduled comparison of the trail with the archive that re-injects missing events. */
  public readonly reconciliation: Reconciliation;
  /** Granted and ungranted canary readers of a synthetic PHI object; undefined when `canaryEnabled` is false. */
  public readonly canary?: Canary;

  constructor(scope: Construct, id: string, props: SecurityEventStackProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.profile === 'production' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // --- Detection: PHI buckets, audit trail, ingestion stream and rule, grant store ---
    this.phiBuckets = new PhiBuckets(this, 'PhiBuckets', {
      existingBucketNames: config.phiBucketNames,
      removalPolicy,
    });
    this.buckets = this.phiBuckets.buckets;
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      phiBucketArns: this.phiBuckets.bucketArns,
      removalPolicy,
    });
    this.trailBucket = this.auditTrail.bucket;
    this.ingestion = new EventIngestion(this, 'Ingestion', {
      bucketNames: this.phiBuckets.bucketNames,
      bucketArns: this.phiBuckets.bucketArns,
      shardCount: config.streamShardCount,
      removalPolicy,
    });
    this.stream = this.ingestion.stream;
    this.streamKey = this.ingestion.streamKey;
    this.grantStore = new GrantStore(this, 'GrantStore', { removalPolicy });
    this.grantsTable = this.grantStore.table;

    // --- Evidence archive and analytics ---
    this.evidenceArchive = new EvidenceArchive(this, 'EvidenceArchive', {
      stream: this.stream,
      streamEncryptionKey: this.streamKey,
      profile: config.profile,
      retentionDays: config.evidenceRetentionDays,
      transitionDays: config.evidenceTransitionDays,
    });
    this.decisionAnalytics = new DecisionAnalytics(this, 'DecisionAnalytics', {
      profile: config.profile,
      archive: this.evidenceArchive,
      indexRetentionDays: config.decisionIndexRetentionDays,
    });
    this.auditQueries = new AuditQueries(this, 'AuditQueries', {
      archiveBucket: this.evidenceArchive.bucket,
      encryptionKey: this.evidenceArchive.key,
      accessLogsBucket: this.evidenceArchive.accessLogsBucket,
      profile: config.profile,
    });
    const decisionDeliveryStream: firehose.IDeliveryStream = this.decisionAnalytics.deliveryStream;

    // --- Canary roles (before containment, which must protect them) ---
    if (config.canaryEnabled) {
      this.canary = new Canary(this, 'Canary', {
        phiBucket: this.buckets[0],
        grantsTable: this.grantsTable,
        intervalMinutes: config.canaryIntervalMinutes,
        removalPolicy,
      });
    }

    // --- Incident response ---
    this.incidentStore = new IncidentStore(this, 'IncidentStore', { removalPolicy });
    this.securityAlerts = new SecurityAlerts(this, 'SecurityAlerts', {
      emails: config.alertEmails,
      removalPolicy,
    });
    this.trailHistory = new TrailHistoryTable(this, 'TrailHistory', {
      trailBucket: this.trailBucket,
      trailKey: this.auditTrail.key,
      removalPolicy,
    });
    this.containment = new ContainmentFunction(this, 'Containment', {
      phiBuckets: this.buckets,
      protectedPrincipalArns: config.protectedPrincipalArns,
      monitorMode: config.monitorMode,
      roleContainmentMode: config.roleContainmentMode,
      incidentsTable: this.incidentStore.table,
      pipelineRoles: this.canary?.roles,
    });
    this.responseWorkflow = new ResponseWorkflow(this, 'Response', {
      incidentsTable: this.incidentStore.table,
      containmentFunction: this.containment.function,
      alertsTopic: this.securityAlerts.topic,
      alertsKey: this.securityAlerts.key,
      evidenceBucket: this.evidenceArchive.bucket,
      evidenceKey: this.evidenceArchive.key,
      reportRetentionDays: config.evidenceRetentionDays,
      objectLockMode: config.profile === 'production' ? 'COMPLIANCE' : 'GOVERNANCE',
      trailHistory: this.trailHistory,
      investigationLookbackDays: config.investigationLookbackDays,
      logRemovalPolicy: removalPolicy,
    });
    this.triageWorkflow = new TriageWorkflow(this, 'Triage', {
      incidentsTable: this.incidentStore.table,
      incidentWindowMinutes: config.incidentWindowMinutes,
      responseStateMachine: this.responseWorkflow.stateMachine,
      logRemovalPolicy: removalPolicy,
    });
    const triageStateMachine: sfn.IStateMachine = this.triageWorkflow.stateMachine;

    // --- Validator (last, because it receives the decision stream and the triage workflow) ---
    this.validator = new ValidatorFunction(this, 'Validator', {
      stream: this.stream,
      grantsTable: this.grantsTable,
      monitoredBucketNames: this.phiBuckets.bucketNames,
      grantCacheTtlSeconds: config.grantCacheTtlSeconds,
      decisionDeliveryStream,
      triageStateMachine,
      removalPolicy,
    });
    this.validatorFunction = this.validator.function;
    this.validatorDeadLetterQueue = this.validator.deadLetterQueue;

    // --- Reconciliation and canary alarms ---
    this.reconciliation = new Reconciliation(this, 'Reconciliation', {
      stream: this.stream,
      streamKey: this.streamKey,
      trailHistory: this.trailHistory,
      trailBucket: this.trailBucket,
      auditQueries: this.auditQueries,
      evidenceBucket: this.evidenceArchive.bucket,
      evidenceKey: this.evidenceArchive.key,
      monitoredBucketNames: this.phiBuckets.bucketNames,
      schedule: config.reconciliationSchedule,
      removalPolicy,
    });
    this.canary?.watchDecisions(this.validatorFunction);

    // --- Monitoring ---
  }
}
