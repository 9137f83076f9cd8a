import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeploymentProfile } from '../config';
import { DECISIONS_PREFIX } from './decision-analytics';
import { EVENTS_PREFIX } from './evidence-archive';

const ATHENA_DIRECTORY = path.join(__dirname, '..', '..', 'athena');

/** Name of the Glue table over the archived events; the named queries read it. */
export const EVENTS_TABLE_NAME = 'evidence_events';

/** Name of the Glue table over the archived decision documents. */
export const DECISIONS_TABLE_NAME = 'evidence_decisions';

/** Named queries: the file under `athena/` and the description shown in the Athena console. */
export const NAMED_QUERIES: ReadonlyArray<{ readonly file: string; readonly description: string }> = [
  {
    file: 'accounting-of-disclosures.sql',
    description:
      'Every request for objects under a key prefix in a time range (HIPAA accounting of disclosures)',
  },
  { file: 'principal-history.sql', description: 'Every PHI request by one principal in a time range' },
  { file: 'denied-requests-by-day.sql', description: 'Requests that S3 rejected, per day and error code' },
  {
    file: 'violations-by-day.sql',
    description: 'Accesses to PHI that no grant covered, per day and principal',
  },
  { file: 'break-glass-accesses.sql', description: 'Every PHI request made through one break-glass role' },
];

/**
 * Columns of the EventBridge envelope and of the CloudTrail record in `detail`, as Hive types. The OpenX
 * SerDe matches JSON keys case-insensitively, so `userIdentity` fills `useridentity`.
 */
const DETAIL_TYPE = [
  'struct<eventversion:string',
  'useridentity:struct<type:string,principalid:string,arn:string,accountid:string,accesskeyid:string,' +
    'username:string,invokedby:string,sessioncontext:struct<sourceidentity:string,' +
    'attributes:struct<creationdate:string,mfaauthenticated:string>,' +
    'sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>>,' +
    'onbehalfof:struct<userid:string,identitystorearn:string>>',
  'eventtime:string,eventsource:string,eventname:string,awsregion:string,sourceipaddress:string',
  'useragent:string,errorcode:string,errormessage:string',
  'requestparameters:struct<bucketname:string,key:string,prefix:string>',
  'requestid:string,eventid:string,eventtype:string,managementevent:boolean,recipientaccountid:string',
  'eventcategory:string,vpcendpointid:string',
  'resources:array<struct<arn:string,type:string,accountid:string>>>',
].join(',');

/**
 * Columns of a decision document (`Decision` in `src/domain/types.ts`), lowercased because the OpenX
 * SerDe matches JSON keys case-insensitively. Ids and ISO 8601 times stay strings.
 */
const DECISION_COLUMNS = [
  'decisionid',
  'eventid',
  'eventtime',
  'decidedat',
  'principal',
  'principalkey',
  'identitytype',
  'accountid',
  'eventname',
  'action',
  'bucket',
  'key',
  'keyprefix',
  'decision',
  'reason',
  'grantid',
  'purpose',
  'errorcode',
  'sourceip',
  'vpcendpointid',
  'incidentid',
];

/** A JSON Lines table over one GZIP-compressed, time-partitioned prefix of the archive. */
interface JsonTableSettings {
  readonly name: string;
  readonly description: string;
  readonly prefix: string;
  /** Partition keys in prefix order, each written as `name=value/`. */
  readonly partitions: ReadonlyArray<'year' | 'month' | 'day' | 'hour'>;
  readonly serdeParameters: Record<string, string>;
  readonly columns: glue.CfnTable.ColumnProperty[];
}

/** Partition projection ranges, with months, days and hours written as two digits. */
const PROJECTIONS = {
  year: { 'projection.year.type': 'integer', 'projection.year.range': '2024,2099' },
  month: {
    'projection.month.type': 'integer',
    'projection.month.range': '1,12',
    'projection.month.digits': '2',
  },
  day: { 'projection.day.type': 'integer', 'projection.day.range': '1,31', 'projection.day.digits': '2' },
  hour: { 'projection.hour.type': 'integer', 'projection.hour.range': '0,23', 'projection.hour.digits': '2' },
};

export interface AuditQueriesProps {
  /** The evidence archive bucket; the tables read its `events/` and `decisions/` prefixes. */
  readonly archiveBucket: s3.IBucket;
  /** Key of the archive; it also encrypts query results, which hold archive data. */
  readonly encryptionKey: kms.IKey;
  /** Bucket that receives the server access logs of the results bucket. */
  readonly accessLogsBucket: s3.IBucket;
  /** `sandbox` deletes the results bucket and workgroup with the stack. */
  readonly profile: DeploymentProfile;
  /**
   * Maximum data one query may scan; Athena cancels a query that exceeds it.
   * @default Size.gibibytes(100)
   */
  readonly bytesScannedCutoffPerQuery?: Size;
}

/**
 * Athena over the evidence archive: Glue tables with partition projection on the time-partitioned
 * `events/` and `decisions/` prefixes, a workgroup that enforces an encrypted result location and a scan limit, and
 * named queries for audits.
 */
export class AuditQueries extends Construct {
  public readonly database: glue.CfnDatabase;
  public readonly databaseName: string;
  /** The table over the archived raw events. */
  public readonly table: glue.CfnTable;
  /** The table over the archived decision documents. */
  public readonly decisionsTable: glue.CfnTable;
  public readonly resultsBucket: s3.Bucket;
  public readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AuditQueriesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = `${stack.stackName.toLowerCase().replace(/[^a-z0-9]/g, '_')}_evidence`;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'phi-guard evidence archive of S3 data events and access decisions',
      },
    });
    this.table = this.createEventsTable(props.archiveBucket);
    this.decisionsTable = this.createDecisionsTable(props.archiveBucket);
    this.resultsBucket = this.createResultsBucket(props);
    this.workGroup = this.createWorkGroup(props);

    for (const query of NAMED_QUERIES) {
      const namedQuery = new athena.CfnNamedQuery(this, query.file.replace('.sql', ''), {
        name: `phi-guard: ${query.file.replace('.sql', '').replace(/-/g, ' ')}`,
        description: query.description,
        database: this.databaseName,
        workGroup: this.workGroup.ref,
        queryString: fs.readFileSync(path.join(ATHENA_DIRECTORY, query.file), 'utf8'),
      });
      namedQuery.addDependency(this.table);
      namedQuery.addDependency(this.decisionsTable);
    }
  }

  private createEventsTable(bucket: s3.IBucket): glue.CfnTable {
    return this.createJsonTable('EventsTable', bucket, {
      name: EVENTS_TABLE_NAME,
      description: 'Raw EventBridge events of CloudTrail S3 data events, one JSON object per line, GZIP',
      prefix: EVENTS_PREFIX,
      partitions: ['year', 'month', 'day', 'hour'],
      serdeParameters: { 'ignore.malformed.json': 'true', 'mapping.detail_type': 'detail-type' },
      columns: [
        ...['version', 'id', 'detail_type', 'source', 'account', 'time', 'region'].map((name) => ({
          name,
          type: 'string',
        })),
        { name: 'resources', type: 'array<string>' },
        { name: 'detail', type: DETAIL_TYPE },
      ],
    });
  }

  private createDecisionsTable(bucket: s3.IBucket): glue.CfnTable {
    return this.createJsonTable('DecisionsTable', bucket, {
      name: DECISIONS_TABLE_NAME,
      description:
        'Decision documents backed up by the decisions delivery stream, one JSON object per line, GZIP',
      prefix: DECISIONS_PREFIX,
      // The same partitions as DECISION_PARTITIONS, the prefix that the decisions delivery stream writes.
      partitions: ['year', 'month', 'day'],
      serdeParameters: { 'ignore.malformed.json': 'true' },
      columns: DECISION_COLUMNS.map((name) => ({ name, type: 'string' })),
    });
  }

  private createJsonTable(id: string, bucket: s3.IBucket, settings: JsonTableSettings): glue.CfnTable {
    const location = `s3://${bucket.bucketName}/${settings.prefix}`;
    const template = settings.partitions.map((name) => `${name}=\${${name}}/`).join('');

    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: settings.name,
        description: settings.description,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: settings.partitions.map((name) => ({ name, type: 'string' })),
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          ...Object.assign({}, ...settings.partitions.map((name) => PROJECTIONS[name])),
          'storage.location.template': `${location}${template}`,
        },
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: settings.serdeParameters,
          },
          columns: settings.columns,
        },
      },
    });
    table.addDependency(this.database);
    return table;
  }

  private createResultsBucket(props: AuditQueriesProps): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: props.profile === 'production' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Query results are disposable copies that expire after 30 days; the archive is the record.',
    });
    return bucket;
  }

  private createWorkGroup(props: AuditQueriesProps): athena.CfnWorkGroup {
    const cutoff = props.bytesScannedCutoffPerQuery ?? Size.gibibytes(100);
    return new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `${Stack.of(this).stackName}-phi-guard-audit`,
      description: 'phi-guard audit queries over the evidence archive',
      recursiveDeleteOption: props.profile === 'sandbox',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff.toBytes(),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn },
        },
      },
    });
  }
}
