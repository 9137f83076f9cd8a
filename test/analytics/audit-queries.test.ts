import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { Parser } from 'node-sql-parser';
import { NAMED_QUERIES } from '../../lib/constructs/audit-queries';
import { arnOf, refOf, synthAnalytics } from './analytics-stack';

const ATHENA_DIRECTORY = path.join(__dirname, '..', '..', 'athena');

function readQuery(file: string): string {
  return fs.readFileSync(path.join(ATHENA_DIRECTORY, file), 'utf8');
}

describe('Glue events table', () => {
  function tableInput() {
    const tables = synthAnalytics('production').template.findResources('AWS::Glue::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    return Object.values(tables)[0].Properties.TableInput;
  }

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

  test.each(NAMED_QUERIES.map((query) => query.file))('%s reads the events table', (file) => {
    const tables = parser.tableList(readQuery(file), { database: 'trino' });

    expect(tables).toEqual(['select::null::evidence_events']);
  });

  test.each([
    ['accounting-of-disclosures.sql', 6],
    ['principal-history.sql', 6],
    ['denied-requests-by-day.sql', 2],
    ['break-glass-accesses.sql', 5],
  ])('%s takes %i parameters', (file, count) => {
    const sql = readQuery(file)
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n');

    expect(sql.match(/\?/g)).toHaveLength(count);
  });
});
