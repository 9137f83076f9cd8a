import { Aws, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { DeploymentProfile } from '../config';
import {
  arnReference,
  createFirehoseRole,
  EvidenceArchive,
  OPENSEARCH_FAILED_PREFIX,
  prefixAcknowledgment,
} from './evidence-archive';
import { INLINE_POLICY_REASON } from './lambda-defaults';
import {
  type DeliveryAlarmThresholds,
  deliveryAlarms,
  type DomainAlarmThresholds,
  domainAlarms,
  type OperationsAlarms,
} from './operations-alarms';
import { createSetupFunction, OpenSearchSetup } from './opensearch-setup';

/** Index name that Firehose writes to; with daily rotation it appends `-YYYY-MM-DD`. */
export const DECISION_INDEX_NAME = 'phi-decisions';

/** Prefix of the decision documents that the decisions stream backs up, read by the Glue decisions table. */
export const DECISIONS_PREFIX = 'decisions/';

/**
 * Daily Hive-style partitions of the decisions backup, by arrival time in Firehose (UTC). Firehose
 * evaluates these expressions in the S3 backup of an OpenSearch destination as in an S3 destination.
 */
export const DECISION_PARTITIONS = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';

/** Principal tag that a principal must carry, with the value `true`, to assume the analyst role. */
export const ANALYST_PRINCIPAL_TAG = 'phi-guard-analyst';

export interface DecisionAnalyticsProps {
  /** `sandbox` runs one small node; `production` runs three zones with dedicated master nodes. */
  readonly profile: DeploymentProfile;
  /** Archive whose bucket receives every decision document, and separately those that OpenSearch rejected. */
  readonly archive: EvidenceArchive;
  /** Days that ISM keeps a daily decision index before deleting it. */
  readonly indexRetentionDays: number;
}

/**
 * Decision documents in OpenSearch for dashboards. The validator writes to a Firehose delivery stream
 * (direct put), which indexes into daily `phi-decisions-*` indices on a domain with fine-grained access
 * control and backs up every document to the evidence archive under `decisions/`. A custom resource
 * installs roles, the index template, the ISM policy and the dashboards.
 */
export class DecisionAnalytics extends Construct {
  public readonly key: kms.Key;
  public readonly domain: opensearch.Domain;
  /** The stream that the validator sends decisions to with PutRecordBatch. */
  public readonly deliveryStream: firehose.IDeliveryStream;
  public readonly deliveryRole: iam.Role;
  /** Read-only role for analysts: search and dashboards, nothing else. */
  public readonly analystRole: iam.Role;
  public readonly setup: OpenSearchSetup;
  /** Execution role of the setup function, and the domain's IAM master user. */
  public readonly setupRole: iam.IRole;

  constructor(scope: Construct, id: string, props: DecisionAnalyticsProps) {
    super(scope, id);
    const production = props.profile === 'production';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = createAnalyticsKey(this, removalPolicy);
    this.deliveryRole = createFirehoseRole(this, 'DeliveryRole');
    this.analystRole = new iam.Role(this, 'AnalystRole', {
      description: 'phi-guard: read-only search and dashboards of access decisions',
      assumedBy: new iam.AccountPrincipal(Stack.of(this).account).withConditions({
        StringEquals: { [`aws:PrincipalTag/${ANALYST_PRINCIPAL_TAG}`]: 'true' },
      }),
    });

    const setupFunction = createSetupFunction(this, 'SetupFunction');
    this.setupRole = roleOf(setupFunction);
    // The last 8 characters of the unique id are a hash of the construct path, which includes the stack name.
    const domainName = `phi-guard-${Names.uniqueId(this).slice(-8).toLowerCase()}`;
    this.domain = createDomain(this, { ...props, domainName, key: this.key, masterRole: this.setupRole });
    this.setDomainAccessPolicy(domainName, this.setupRole);

    const stream = this.createDeliveryStream(props.archive);
    this.deliveryStream = firehose.DeliveryStream.fromDeliveryStreamAttributes(this, 'Stream', {
      deliveryStreamArn: stream.attrArn,
      deliveryStreamName: stream.ref,
    });
    this.setup = new OpenSearchSetup(this, 'Setup', {
      handler: setupFunction,
      domain: this.domain,
      writerRole: this.deliveryRole,
      analystRole: this.analystRole,
      retentionDays: props.indexRetentionDays,
    });
    stream.node.addDependency(this.setup);
    Validations.of(this.deliveryRole).acknowledge(
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
      prefixAcknowledgment(props.archive.bucket, DECISIONS_PREFIX),
      prefixAcknowledgment(props.archive.bucket, OPENSEARCH_FAILED_PREFIX),
    );
  }

  /** Adds alarms on the domain's health and storage and on late and failed decision deliveries. */
  public addAlarms(
    alarms: OperationsAlarms,
    thresholds: DomainAlarmThresholds & DeliveryAlarmThresholds = {},
  ): void {
    const ebs = (this.domain.node.defaultChild as opensearch.CfnDomain).ebsOptions as
      opensearch.CfnDomain.EBSOptionsProperty | undefined;
    alarms.addAlarms(this, 'Decision analytics: OpenSearch domain and delivery', {
      ...domainAlarms(this.domain, Number(ebs?.volumeSize ?? 10), thresholds),
      ...deliveryAlarms(this.deliveryStream.deliveryStreamName, 'AmazonOpenSearchService', thresholds),
    });
  }

  /**
   * Sets the domain access policy on the CloudFormation resource, because the L2 `accessPolicies` would add
   * an extra custom resource. The policy cannot reference its own domain, so the ARN comes from the name.
   */
  private setDomainAccessPolicy(domainName: string, setupRole: iam.IRole): void {
    const domainArn = `arn:${Aws.PARTITION}:es:${Aws.REGION}:${Aws.ACCOUNT_ID}:domain/${domainName}`;
    const statement = (roles: iam.IRole[], actions: string[]) =>
      new iam.PolicyStatement({
        principals: roles.map((role) => new iam.ArnPrincipal(role.roleArn)),
        actions,
        resources: [`${domainArn}/*`],
      });

    const document = new iam.PolicyDocument({
      statements: [
        statement(
          [setupRole],
          ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpPatch'],
        ),
        statement([this.deliveryRole], ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut']),
        statement([this.analystRole], ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost']),
      ],
    });
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = document.toJSON();
  }

  private createDeliveryStream(archive: EvidenceArchive): firehose.CfnDeliveryStream {
    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.key,
    });
    const logStream = logGroup.addStream('OpenSearchDelivery');
    const policy = createDeliveryPolicy(this, this.deliveryRole, this.domain, logGroup);
    archive.grantDeliveryWrite(this.deliveryRole, DECISIONS_PREFIX);
    archive.grantDeliveryWrite(this.deliveryRole, OPENSEARCH_FAILED_PREFIX);

    const stream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: {
        keyType: 'CUSTOMER_MANAGED_CMK',
        keyArn: this.key.keyArn,
      },
      amazonopensearchserviceDestinationConfiguration: {
        domainArn: this.domain.domainArn,
        indexName: DECISION_INDEX_NAME,
        indexRotationPeriod: 'OneDay',
        roleArn: this.deliveryRole.roleArn,
        bufferingHints: { intervalInSeconds: 60, sizeInMBs: 5 },
        retryOptions: { durationInSeconds: 300 },
        // Every document also goes to the Object Lock archive, so Athena can query decisions. Firehose
        // writes a rejected document both under the prefix and under the error output prefix, which lies
        // outside `decisions/` so that the Glue table counts each decision once.
        s3BackupMode: 'AllDocuments',
        s3Configuration: {
          bucketArn: archive.bucket.bucketArn,
          roleArn: this.deliveryRole.roleArn,
          prefix: `${DECISIONS_PREFIX}${DECISION_PARTITIONS}`,
          errorOutputPrefix: `${OPENSEARCH_FAILED_PREFIX}!{firehose:error-output-type}/${DECISION_PARTITIONS}`,
          compressionFormat: 'GZIP',
          encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: archive.key.keyArn } },
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
      },
    });
    // The role's default policy contains the backup bucket grants.
    stream.node.addDependency(policy, this.deliveryRole);
    acknowledgeDeliveryPolicyFindings(policy, this.domain);
    return stream;
  }
}

function roleOf(fn: lambda.IFunction): iam.IRole {
  if (!fn.role) {
    throw new Error(`Function ${fn.node.path} has no execution role to make the OpenSearch master user.`);
  }
  return fn.role;
}

function createAnalyticsKey(scope: Construct, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(scope, 'Key', {
    description: 'phi-guard: encrypts the OpenSearch domain, the decisions delivery stream and their logs',
    enableKeyRotation: true,
    removalPolicy,
  });
  key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
  return key;
}

interface DomainSettings extends DecisionAnalyticsProps {
  readonly domainName: string;
  readonly key: kms.IKey;
  readonly masterRole: iam.IRole;
}

function createDomain(scope: Construct, settings: DomainSettings): opensearch.Domain {
  const production = settings.profile === 'production';
  const logGroups = createDomainLogGroups(scope, settings);

  const domain = new opensearch.Domain(scope, 'Domain', {
    domainName: settings.domainName,
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    capacity: production
      ? {
          masterNodes: 3,
          masterNodeInstanceType: 'm7g.large.search',
          dataNodes: 3,
          dataNodeInstanceType: 'r7g.large.search',
          multiAzWithStandbyEnabled: false,
        }
      : { dataNodes: 1, dataNodeInstanceType: 't3.small.search', multiAzWithStandbyEnabled: false },
    zoneAwareness: production ? { enabled: true, availabilityZoneCount: 3 } : { enabled: false },
    ebs: { volumeSize: production ? 100 : 10, volumeType: ec2.EbsDeviceVolumeType.GP3 },
    encryptionAtRest: { enabled: true, kmsKey: settings.key },
    nodeToNodeEncryption: true,
    enforceHttps: true,
    tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
    fineGrainedAccessControl: { masterUserArn: settings.masterRole.roleArn },
    logging: {
      auditLogEnabled: true,
      auditLogGroup: logGroups.audit,
      slowSearchLogEnabled: true,
      slowSearchLogGroup: logGroups.slowSearch,
      slowIndexLogEnabled: true,
      slowIndexLogGroup: logGroups.slowIndex,
      appLogEnabled: true,
      appLogGroup: logGroups.application,
    },
    // The L2 would write this policy through an extra custom resource; createDomainLogGroups writes it natively.
    suppressLogsResourcePolicy: true,
    automatedSnapshotStartHour: 3,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  domain.node.addDependency(logGroups.resourcePolicy);
  acknowledgeDomainFindings(domain, production);
  return domain;
}

/** Creates the domain's four log groups and the resource policy that lets OpenSearch Service write to them. */
function createDomainLogGroups(scope: Construct, settings: DomainSettings) {
  const create = (id: string) =>
    new logs.LogGroup(scope, id, { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: settings.key });
  const groups = {
    audit: create('AuditLogs'),
    slowSearch: create('SlowSearchLogs'),
    slowIndex: create('SlowIndexLogs'),
    application: create('AppLogs'),
  };

  const document = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: Object.values(groups).map((group) => group.logGroupArn),
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    ],
  });
  const resourcePolicy = new logs.CfnResourcePolicy(scope, 'DomainLogsPolicy', {
    policyName: `${settings.domainName}-logs`,
    policyDocument: Stack.of(scope).toJsonString(document.toJSON()),
  });
  return { ...groups, resourcePolicy };
}

/**
 * Grants the decisions delivery role what Firehose needs for an OpenSearch destination: domain
 * description, writes, and reads of the cluster and index endpoints that it checks before delivery.
 */
function createDeliveryPolicy(
  scope: Construct,
  role: iam.IRole,
  domain: opensearch.IDomain,
  logGroup: logs.ILogGroup,
): iam.Policy {
  const arn = domain.domainArn;
  const indexPattern = `${DECISION_INDEX_NAME}*`;
  const readPaths = [
    '_all/_settings',
    '_cluster/stats',
    `${indexPattern}/_mapping/*`,
    '_nodes',
    '_nodes/stats',
  ];

  return new iam.Policy(scope, 'DeliveryPolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        actions: [
          'es:DescribeDomain',
          'es:DescribeDomains',
          'es:DescribeDomainConfig',
          'es:ESHttpPost',
          'es:ESHttpPut',
        ],
        resources: [arn, `${arn}/*`],
      }),
      new iam.PolicyStatement({
        actions: ['es:ESHttpGet'],
        resources: [
          ...readPaths.map((readPath) => `${arn}/${readPath}`),
          `${arn}/_nodes/*/stats`,
          `${arn}/_stats`,
          `${arn}/${indexPattern}/_stats`,
          `${arn}/`,
        ],
      }),
      new iam.PolicyStatement({
        actions: ['logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });
}

function acknowledgeDomainFindings(domain: opensearch.Domain, production: boolean): void {
  Validations.of(domain).acknowledge(
    {
      id: 'HIPAA.Security-OpenSearchInVPCOnly',
      reason:
        'Firehose and the setup function reach the domain over HTTPS with SigV4, and the access policy names only phi-guard roles.',
    },
    {
      id: 'AwsSolutions-OS1',
      reason:
        'The domain has a public HTTPS endpoint so that Firehose can deliver without a VPC; IAM and fine-grained access control guard it.',
    },
    {
      id: 'AwsSolutions-OS3',
      reason: 'The IAM access policy and fine-grained access control limit access, not source IP addresses.',
    },
  );
  if (!production) {
    Validations.of(domain).acknowledge(
      {
        id: 'AwsSolutions-OS4',
        reason: 'The sandbox profile runs one data node and no dedicated master nodes to save cost.',
      },
      {
        id: 'AwsSolutions-OS7',
        reason: 'The sandbox profile runs one data node, so there is no second zone.',
      },
    );
  }
}

function acknowledgeDeliveryPolicyFindings(policy: iam.Policy, domain: opensearch.IDomain): void {
  const domainArn = arnReference(domain);
  const wildcardPaths = [
    '*',
    '_nodes/*/stats',
    `${DECISION_INDEX_NAME}*/_mapping/*`,
    `${DECISION_INDEX_NAME}*/_stats`,
  ];
  Validations.of(policy).acknowledge(
    { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
    ...wildcardPaths.map((wildcardPath) => ({
      id: `AwsSolutions-IAM5[Resource::${domainArn}/${wildcardPath}]`,
      reason:
        'Firehose writes to daily indices and reads per-node and per-index statistics whose names it chooses.',
    })),
  );
}
