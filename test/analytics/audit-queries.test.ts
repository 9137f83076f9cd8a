import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { Parser } from 'node-sql-parser';
import { DECISIONS_TABLE_NAME, EVENTS_TABLE_NAME, NAMED_QUERIES } from '../../lib/constructs/audit-queries';
import { arnOf, refOf, synthAnalytics } from './analytics-stack';
import { DECISION_FIELDS } from './decision-fields';

const ATHENA_DIRECTORY = path.join(__dirname, '..', '..', 'athena');

function readQuery(file: string): string {
  return fs.readFileSync(path.join(ATHENA_DIRECTORY, file), 'utf8');
}

function tableInputOf(name: string) {
  const tables = synthAnalytics('production').template.findResources('AWS::Glue::Table', {
    Properties: { TableInput: { Name: name } },
  });
  expect(Object.keys(tables)).toHaveLength(1);
  return Object.values(tables)[0].Properties.TableInput;
}

describe('Glue events table', () => {
  const tableInput = () => tableInputOf(EVENTS_TABLE_NAME);

  test('reads events prefix with OpenX SerDe', () => {
    const { archive } = synthAnalytics('production');
    const descriptor = tableInput().StorageDescriptor;

    expect(descriptor.Location).toEqual({ 'Fn::Join': ['', ['s3://', refOf(archive.bucket), '/events/']] });
    expect(descriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      Parameters: { 'ignore.malformed.json': 'true', 'mapping.detail_type': 'detail-type' },
    });
  });

  test('projects hourly partitions', () => {
    const input = tableInput();

    expect(input.PartitionKeys.map((key: { Name: string }) => key.Name)).toEqual([
      'year',
      'month',
      'day',
      'hour',
    ]);
    expect(input.Parameters).toEqual(
      expect.objectContaining({
        'projection.enabled': 'true',
        'projection.month.range': '1,12',
        'projection.month.digits': '2',
        'projection.day.range': '1,31',
        'projection.hour.range': '0,23',
        'projection.hour.digits': '2',
      }),
    );
    expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain(
      '/events/year=${year}/month=${month}/day=${day}/hour=${hour}/',
    );
  });

  test('detail has queried fields', () => {
    const detail = tableInput().StorageDescriptor.Columns.find(
      (column: { Name: string }) => column.Name === 'detail',
    );

    for (const field of [
      'useridentity:struct<type:string',
      'arn:string',
      'eventtime:string',
      'errorcode:string',
    ]) {
      expect(detail.Type).toContain(field);
    }
    expect(detail.Type).toContain('requestparameters:struct<bucketname:string,key:string,prefix:string>');
  });
});

describe('Glue decisions table', () => {
  const tableInput = () => tableInputOf(DECISIONS_TABLE_NAME);

  test('reads decisions prefix with OpenX SerDe', () => {
    const { archive } = synthAnalytics('production');
    const descriptor = tableInput().StorageDescriptor;

    expect(descriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', refOf(archive.bucket), '/decisions/']],
    });
    expect(descriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      Parameters: { 'ignore.malformed.json': 'true' },
    });
    expect(tableInput().Parameters).toEqual(
      expect.objectContaining({ classification: 'json', compressionType: 'gzip' }),
    );
  });

  test('projects partitions Firehose writes', () => {
    const input = tableInput();
    const stream = Object.values(
      synthAnalytics('production').template.findResources('AWS::KinesisFirehose::DeliveryStream', {
        Properties: { DeliveryStreamType: 'DirectPut' },
      }),
    )[0];
    const firehosePrefix: string =
      stream.Properties.AmazonopensearchserviceDestinationConfiguration.S3Configuration.Prefix;

    expect(input.PartitionKeys).toEqual([
      { Name: 'year', Type: 'string' },
      { Name: 'month', Type: 'string' },
      { Name: 'day', Type: 'string' },
    ]);
    expect(input.Parameters).toEqual(
      expect.objectContaining({
        'projection.enabled': 'true',
        'projection.year.range': '2024,2099',
        'projection.month.range': '1,12',
        'projection.month.digits': '2',
        'projection.day.range': '1,31',
        'projection.day.digits': '2',
      }),
    );
    expect(input.Parameters).not.toHaveProperty('projection.hour.type');
    // Replacing each Firehose timestamp expression with the projected key yields the location template.
    const projected = firehosePrefix.replace(
      /(\w+)=!\{timestamp:\w+\}/g,
      (_, key: string) => `${key}=\${${key}}`,
    );
    expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain(`/${projected}"`);
  });

  test('has a string column per Decision field', () => {
    const columns = tableInput().StorageDescriptor.Columns as Array<{ Name: string; Type: string }>;

    expect(columns.map((column) => column.Name)).toEqual(DECISION_FIELDS.map((field) => field.toLowerCase()));
    expect(new Set(columns.map((column) => column.Type))).toEqual(new Set(['string']));
  });
});

describe('Athena workgroup', () => {
  test('enforces encrypted results and scan limit', () => {
    const { template, archive } = synthAnalytics('production');

    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: arnOf(archive.key) },
        },
      },
    });
  });

  test('results bucket encrypted and private', () => {
    synthAnalytics('production').template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'athena-results/' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      }),
    });
  });

  test('named queries from athena files', () => {
    const { template } = synthAnalytics('production');
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery'));

    expect(queries.map((query) => query.Properties.QueryString).sort()).toEqual(
      NAMED_QUERIES.map((query) => readQuery(query.file)).sort(),
    );
    expect(new Set(queries.map((query) => query.Properties.Database)).size).toBe(1);
  });
});

describe('named query SQL', () => {
  const parser = new Parser();

  // The Athena dialect of node-sql-parser rejects `?` execution parameters, so they become string literals
  // for that dialect. The Trino dialect, which Athena engine version 3 follows, parses them as written.
  test.each(NAMED_QUERIES.map((query) => query.file))('%s parses as Athena and Trino SQL', (file) => {
    const sql = readQuery(file);

    expect(() => parser.astify(sql.replace(/\?/g, "'parameter'"), { database: 'athena' })).not.toThrow();
    expect(() => parser.astify(sql, { database: 'trino' })).not.toThrow();
  });

  test.each(NAMED_QUERIES.map((query) => query.file))('%s reads one evidence table', (file) => {
    const table = file === 'violations-by-day.sql' ? DECISIONS_TABLE_NAME : EVENTS_TABLE_NAME;
    const tables = parser.tableList(readQuery(file), { database: 'trino' });

    expect(tables).toEqual([`select::null::${table}`]);
  });

  test('violations-by-day counts violations only', () => {
    const sql = readQuery('violations-by-day.sql');

    expect(sql).toMatch(/WHERE decision = 'violation'/);
    expect(sql).toMatch(/GROUP BY substr\(eventtime, 1, 10\), principalkey/);
  });

  test.each([
    ['accounting-of-disclosures.sql', 6],
    ['principal-history.sql', 6],
    ['denied-requests-by-day.sql', 2],
    ['break-glass-accesses.sql', 5],
    ['violations-by-day.sql', 4],
  ])('%s takes %i parameters', (file, count) => {
    const sql = readQuery(file)
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n');

    expect(sql.match(/\?/g)).toHaveLength(count);
  });
});
