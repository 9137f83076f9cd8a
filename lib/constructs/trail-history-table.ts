import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface TrailHistoryTableProps {
  /** Bucket that CloudTrail delivers log files to. */
  readonly trailBucket: s3.IBucket;
  /**
   * Key that encrypts the trail's log files, which query runners must be able to decrypt.
   * @default - the trail bucket's encryption key, if it has one
   */
  readonly trailKey?: kms.IKey;
  /**
   * S3 key prefix of the trail, without a trailing slash; log files then sit under `PREFIX/AWSLogs/`.
   * @default - no prefix
   */
  readonly trailKeyPrefix?: string;
  /**
   * Accounts whose logs the trail delivers (partition projection values).
   * @default - this stack's account
   */
  readonly accountIds?: readonly string[];
  /**
   * Regions whose logs the trail delivers (partition projection values).
   * @default - this stack's region
   */
  readonly regions?: readonly string[];
  /**
   * First day of the projected date partitions, as yyyy/MM/dd. Queries cannot see earlier logs.
   * @default '2025/01/01'
   */
  readonly firstLogDate?: string;
  /**
   * Maximum data one investigation query may scan; Athena cancels the query beyond it.
   * @default Size.gibibytes(10)
   */
  readonly bytesScannedCutoff?: Size;
  /**
   * How long query results are kept before they expire.
   * @default Duration.days(30)
   */
  readonly resultRetention?: Duration;
  /**
   * Removal policy of the results bucket and its key. With `DESTROY` the bucket's objects and the
   * workgroup's saved queries are deleted with them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Name of the date partition column; `timestamp`, as in the AWS examples, is a reserved word in SQL. */
export const TRAIL_DATE_PARTITION = 'event_date';

/**
 * Columns of a CloudTrail record as the CloudTrail SerDe reads them. Nested JSON objects whose shape
 * varies by API (`requestparameters`, `responseelements`, `additionaleventdata`) stay JSON text.
 */
const CLOUDTRAIL_COLUMNS: readonly glue.CfnTable.ColumnProperty[] = [
  { name: 'eventversion', type: 'string' },
  {
    name: 'useridentity',
    type:
      'struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,' +
      'username:string,onbehalfof:struct<userid:string,identitystorearn:string>,' +
      'sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,' +
      'sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,' +
      'sourceidentity:string,ec2roledelivery:string>>',
  },
  { name: 'eventtime', type: 'string' },
  { name: 'eventsource', type: 'string' },
  { name: 'eventname', type: 'string' },
  { name: 'awsregion', type: 'string' },
  { name: 'sourceipaddress', type: 'string' },
  { name: 'useragent', type: 'string' },
  { name: 'errorcode', type: 'string' },
  { name: 'errormessage', type: 'string' },
  { name: 'requestparameters', type: 'string' },
  { name: 'responseelements', type: 'string' },
  { name: 'additionaleventdata', type: 'string' },
  { name: 'requestid', type: 'string' },
  { name: 'eventid', type: 'string' },
  { name: 'readonly', type: 'string' },
  { name: 'resources', type: 'array<struct<arn:string,accountid:string,type:string>>' },
  { name: 'eventtype', type: 'string' },
  { name: 'apiversion', type: 'string' },
  { name: 'recipientaccountid', type: 'string' },
  { name: 'sharedeventid', type: 'string' },
  { name: 'vpcendpointid', type: 'string' },
  { name: 'eventcategory', type: 'string' },
  { name: 'tlsdetails', type: 'struct<tlsversion:string,ciphersuite:string,clienthostheader:string>' },
];

const DATE_PATTERN = /^\d{4}\/\d{2}\/\d{2}$/;
const RESULTS_PREFIX = 'athena';

/**
 * A Glue table over the CloudTrail log files, with partition projection by account, region and day,
 * and an Athena workgroup that investigations must use: its result location and encryption are
 * enforced and each query is cancelled past a bytes-scanned cutoff.
 */
export class TrailHistoryTable extends Construct {
  public readonly databaseName: string;
  public readonly tableName = 'cloudtrail_events';
  public readonly workGroupName: string;
  public readonly resultsBucket: s3.Bucket;
  /** Customer managed key that encrypts query results. */
  public readonly resultsKey: kms.Key;
  private readonly props: TrailHistoryTableProps;

  constructor(scope: Construct, id: string, props: TrailHistoryTableProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    const namePrefix = stack.stackName.toLowerCase().replace(/[^a-z0-9]/g, '_');
    this.databaseName = `${namePrefix}_investigation`;
    this.workGroupName = `${stack.stackName}-investigation`;

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.resultsKey = new kms.Key(this, 'ResultsKey', {
      description: 'Encrypts phi-guard investigation query results.',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.resultsBucket = this.createResultsBucket(removalPolicy);

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'phi-guard investigation tables.' },
    });
    const table = this.createTable();
    table.addDependency(database);
    this.createWorkGroup(removalPolicy === RemovalPolicy.DESTROY);
  }

  /**
   * Grants what running an investigation query in the workgroup needs:
   * - `athena:StartQueryExecution`, `GetQueryExecution`, `GetQueryResults` and `StopQueryExecution` on the workgroup.
   * - `glue:GetDatabase`, `glue:GetTable` and `glue:GetPartitions` on the catalog, database and table.
   * - `s3:GetObject` on the trail's log files, and `s3:ListBucket` and `s3:GetBucketLocation` on the trail bucket.
   * - `s3:GetObject`, `s3:PutObject` and the multipart upload actions on the results prefix.
   * - `kms:Decrypt` on the trail key, and `kms:Decrypt` and `kms:GenerateDataKey` on the results key.
   */
  public grantQuery(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    const statements = [
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
        ],
        resources: [
          stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          stack.formatArn({
            service: 'glue',
            resource: 'table',
            resourceName: `${this.databaseName}/${this.tableName}`,
          }),
        ],
      }),
      ...this.bucketStatements(this.props.trailBucket, [`${this.logsPrefix()}*`], ['s3:GetObject']),
      ...this.bucketStatements(
        this.resultsBucket,
        [`${RESULTS_PREFIX}/*`],
        ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      ),
    ];
    for (const statement of statements) {
      grantee.grantPrincipal.addToPrincipalPolicy(statement);
    }

    this.resultsKey.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
    const trailKey = this.props.trailKey ?? this.props.trailBucket.encryptionKey;
    trailKey?.grantDecrypt(grantee);
  }

  /** Buckets and key prefixes on whose objects `grantQuery` grants actions. */
  public objectGrants(): [s3.IBucket, string][] {
    return [
      [this.props.trailBucket, this.logsPrefix()],
      [this.resultsBucket, `${RESULTS_PREFIX}/`],
    ];
  }

  private bucketStatements(
    bucket: s3.IBucket,
    keyPatterns: string[],
    objectActions: string[],
  ): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: objectActions,
        resources: keyPatterns.map((pattern) => bucket.arnForObjects(pattern)),
      }),
    ];
  }

  /** Key prefix under which CloudTrail writes, ending in `AWSLogs/`. */
  private logsPrefix(): string {
    const prefix = this.props.trailKeyPrefix;
    return prefix ? `${prefix.replace(/\/+$/, '')}/AWSLogs/` : 'AWSLogs/';
  }

  private createResultsBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'ResultsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.resultsKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          expiration: this.props.resultRetention ?? Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    const noAccessLogs =
      'Results are short-lived copies derived from the trail, and CloudTrail records the Athena calls that write and read them.';
    const validations = Validations.of(bucket);
    validations.acknowledge({ id: 'AwsSolutions-S1', reason: noAccessLogs });
    validations.acknowledge({ id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: noAccessLogs });
    validations.acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Query results expire within days and can be produced again from the trail, so a replica adds nothing.',
    });
    return bucket;
  }

  private createTable(): glue.CfnTable {
    const stack = Stack.of(this);
    const location = `s3://${this.props.trailBucket.bucketName}/${this.logsPrefix()}`;
    return new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: 'CloudTrail log files of the phi-guard trail, partitioned by account, region and day.',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'cloudtrail',
          ...this.projectionParameters(location),
        },
        partitionKeys: [
          { name: 'account', type: 'string' },
          { name: 'region', type: 'string' },
          { name: TRAIL_DATE_PARTITION, type: 'string' },
        ],
        storageDescriptor: {
          location,
          inputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'com.amazon.emr.hive.serde.CloudTrailSerde',
            parameters: { 'serialization.format': '1' },
          },
          columns: CLOUDTRAIL_COLUMNS.map((column) => ({ ...column })),
        },
      },
    });
  }

  /** Partition projection, so that no crawler or `ALTER TABLE ADD PARTITION` is needed as days pass. */
  private projectionParameters(location: string): Record<string, string> {
    const stack = Stack.of(this);
    const firstLogDate = this.props.firstLogDate ?? '2025/01/01';
    if (!DATE_PATTERN.test(firstLogDate)) {
      throw new Error(`firstLogDate must be a date written as yyyy/MM/dd, got "${firstLogDate}".`);
    }
    const accountIds = this.props.accountIds ?? [stack.account];
    const regions = this.props.regions ?? [stack.region];
    if (accountIds.length === 0 || regions.length === 0) {
      throw new Error('accountIds and regions must each list at least one value when given.');
    }
    return {
      'projection.enabled': 'true',
      'projection.account.type': 'enum',
      'projection.account.values': accountIds.join(','),
      'projection.region.type': 'enum',
      'projection.region.values': regions.join(','),
      [`projection.${TRAIL_DATE_PARTITION}.type`]: 'date',
      [`projection.${TRAIL_DATE_PARTITION}.format`]: 'yyyy/MM/dd',
      [`projection.${TRAIL_DATE_PARTITION}.range`]: `${firstLogDate},NOW`,
      [`projection.${TRAIL_DATE_PARTITION}.interval`]: '1',
      [`projection.${TRAIL_DATE_PARTITION}.interval.unit`]: 'DAYS',
      'storage.location.template': `${location}\${account}/CloudTrail/\${region}/\${${TRAIL_DATE_PARTITION}}`,
    };
  }

  private createWorkGroup(recursiveDelete: boolean): athena.CfnWorkGroup {
    const bytesScannedCutoff = this.props.bytesScannedCutoff ?? Size.gibibytes(10);
    return new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'phi-guard investigation queries over the CloudTrail history.',
      state: 'ENABLED',
      recursiveDeleteOption: recursiveDelete,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: bytesScannedCutoff.toBytes(),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${RESULTS_PREFIX}/`,
          expectedBucketOwner: Stack.of(this).account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.resultsKey.keyArn },
        },
      },
    });
  }
}
