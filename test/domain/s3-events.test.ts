import { gzipSync } from 'node:zlib';
import { parseCloudTrailText } from '../../src/domain/cloudtrail-input';
import { InvalidRecordError } from '../../src/domain/errors';
import { parseRecord } from '../../src/domain/parse';
import { parseCopySource, S3_OBJECT_EVENTS } from '../../src/domain/s3-events';
import type { AccessAction, ObjectAccess } from '../../src/domain/types';
import { loadFixture } from './fixture-loader';

/** Builds a record from the IAM user GetObject fixture with another event name and request parameters. */
function recordFor(
  eventName: string,
  requestParameters: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const base = loadFixture('getobject-iamuser.json');
  return {
    ...base,
    eventName,
    requestParameters: { bucketName: 'example-phi-records', ...requestParameters },
    ...extra,
  };
}

function accessesOf(record: unknown): readonly ObjectAccess[] {
  const parsed = parseRecord(record);
  if (parsed.status !== 'accesses') throw new Error(`skipped: ${parsed.detail}`);
  return parsed.accesses;
}

const objectKey = 'patients/p-2001/visit.json';

const eventCases: ReadonlyArray<[string, AccessAction]> = [
  ['GetObject', 'read'],
  ['HeadObject', 'read'],
  ['GetObjectAttributes', 'read'],
  ['SelectObjectContent', 'read'],
  ['RestoreObject', 'read'],
  ['GetObjectAcl', 'read'],
  ['GetObjectTagging', 'read'],
  ['GetObjectRetention', 'read'],
  ['GetObjectLegalHold', 'read'],
  ['GetObjectTorrent', 'read'],
  ['PutObject', 'write'],
  ['CreateMultipartUpload', 'write'],
  ['UploadPart', 'write'],
  ['CompleteMultipartUpload', 'write'],
  ['AbortMultipartUpload', 'write'],
  ['PutObjectAcl', 'write'],
  ['PutObjectTagging', 'write'],
  ['DeleteObjectTagging', 'write'],
  ['PutObjectRetention', 'write'],
  ['PutObjectLegalHold', 'write'],
  ['DeleteObject', 'delete'],
  ['ListParts', 'list'],
];

describe('S3 object events', () => {
  it.each(eventCases)('%s on one key is %s', (eventName, action) => {
    const accesses = accessesOf(recordFor(eventName, { key: objectKey }));

    expect(accesses).toHaveLength(1);
    expect(accesses[0].action).toBe(action);
    expect(accesses[0].bucket).toBe('example-phi-records');
    expect(accesses[0].key).toBe(objectKey);
    expect(accesses[0].eventName).toBe(eventName);
  });

  it.each(['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads'])(
    '%s lists its prefix',
    (eventName) => {
      const withPrefix = accessesOf(recordFor(eventName, { prefix: 'patients/p-2001/' }));
      const withoutPrefix = accessesOf(recordFor(eventName, {}));

      expect(withPrefix.map((access) => [access.action, access.key])).toEqual([['list', 'patients/p-2001/']]);
      expect(withoutPrefix.map((access) => [access.action, access.key])).toEqual([['list', '']]);
    },
  );

  it.each(['CopyObject', 'UploadPartCopy'])('%s writes and reads source', (eventName) => {
    const record = recordFor(eventName, {
      bucketName: 'example-phi-archive',
      key: 'archive/p-2001/visit.json',
      'x-amz-copy-source': 'example-phi-records/patients/p-2001/visit.json?versionId=EXAMPLEversion1',
    });

    const accesses = accessesOf(record);

    expect(accesses.map((access) => [access.index, access.action, access.bucket, access.key])).toEqual([
      [0, 'write', 'example-phi-archive', 'archive/p-2001/visit.json'],
      [1, 'read', 'example-phi-records', 'patients/p-2001/visit.json'],
    ]);
  });

  it('every table entry is covered', () => {
    const covered = new Set([
      ...eventCases.map(([name]) => name),
      'ListObjects',
      'ListObjectsV2',
      'ListObjectVersions',
      'ListMultipartUploads',
      'CopyObject',
      'UploadPartCopy',
      'DeleteObjects',
    ]);

    expect(Object.keys(S3_OBJECT_EVENTS).sort()).toEqual([...covered].sort());
  });
});

describe('parseCopySource', () => {
  it.each([
    ['bucket-a/key.txt', { bucket: 'bucket-a', key: 'key.txt' }],
    ['/bucket-a/dir/key.txt', { bucket: 'bucket-a', key: 'dir/key.txt' }],
    ['bucket-a/dir%2Fa%20b%2Bc.txt?versionId=abc', { bucket: 'bucket-a', key: 'dir/a b+c.txt' }],
    ['bucket-a/caf%C3%A9/%E6%82%A3%E8%80%85.json', { bucket: 'bucket-a', key: 'café/患者.json' }],
    ['bucket-a/question%3Fmark.txt?versionId=v1', { bucket: 'bucket-a', key: 'question?mark.txt' }],
    ['bucket-a/100%.txt', { bucket: 'bucket-a', key: '100%.txt' }],
    [
      'arn:aws:s3:us-east-1:111122223333:accesspoint/phi-ap/object/patients/p.json',
      { bucket: 'arn:aws:s3:us-east-1:111122223333:accesspoint/phi-ap', key: 'patients/p.json' },
    ],
  ])('%s', (header, expected) => {
    expect(parseCopySource(header)).toEqual(expected);
  });

  it.each([[undefined], ['bucket-only'], ['bucket-only/']])('rejects %s', (header) => {
    expect(parseCopySource(header)).toBeUndefined();
  });
});

describe('object key edge cases', () => {
  it('keeps non-ASCII keys as written', () => {
    const key = 'patients/Zoë Ångström/検査結果 2025.pdf';
    expect(accessesOf(recordFor('GetObject', { key }))[0].key).toBe(key);
  });

  it('keeps a 1024-byte key whole', () => {
    const key = `patients/${'é'.repeat(507)}x`;
    expect(Buffer.byteLength(key, 'utf8')).toBe(1024);

    expect(accessesOf(recordFor('GetObject', { key }))[0].key).toBe(key);
  });

  it('reads the key from resources when requestParameters lacks it', () => {
    const record = recordFor(
      'GetObject',
      {},
      {
        resources: [
          { type: 'AWS::S3::Object', arn: 'arn:aws:s3:::example-phi-records/patients/p-2002/a.json' },
        ],
      },
    );

    expect(accessesOf(record)[0].key).toBe('patients/p-2002/a.json');
  });

  it('reads the bucket from resources when requestParameters lacks it', () => {
    const record = { ...recordFor('GetObject', { key: 'a.json' }), requestParameters: { key: 'a.json' } };

    expect(accessesOf(record)[0].bucket).toBe('example-phi-records');
  });

  it('reads the capitalized Key of S3 on Outposts', () => {
    const record = recordFor(
      'PutObject',
      { Key: 'path/upload.sh' },
      { eventSource: 's3-outposts.amazonaws.com' },
    );

    expect(accessesOf(record)[0].key).toBe('path/upload.sh');
  });

  it('rejects an object event without a key', () => {
    const record = recordFor('GetObject', {}, { resources: [] });

    expect(() => parseRecord(record)).toThrow(InvalidRecordError);
    expect(() => parseRecord(record)).toThrow('names no object key in requestParameters.key or resources');
  });

  it('rejects an event without a bucket', () => {
    const record = { ...recordFor('GetObject', {}), requestParameters: { key: 'a.json' }, resources: [] };

    expect(() => parseRecord(record)).toThrow('is missing requestParameters.bucketName');
  });
});

describe('DeleteObjects', () => {
  const keys = Array.from(
    { length: 1000 },
    (_, index) => `patients/p-${String(index).padStart(4, '0')}/old.json`,
  );

  it('yields one access per deleted key', () => {
    const record = recordFor('DeleteObjects', {
      delete: { Object: keys.map((Key) => ({ Key })), Quiet: 'true' },
    });

    const accesses = accessesOf(record);

    expect(accesses).toHaveLength(1000);
    expect(accesses.map((access) => access.key)).toEqual(keys);
    expect(new Set(accesses.map((access) => `${access.eventId}#${access.index}`)).size).toBe(1000);
    expect(accesses.every((access) => access.action === 'delete')).toBe(true);
  });

  it('survives a gzipped log file round trip', () => {
    const record = recordFor('DeleteObjects', { delete: { Object: keys.map((Key) => ({ Key })) } });
    const gzipped = gzipSync(JSON.stringify({ Records: [record] }));

    const [parsed] = parseCloudTrailText(gzipped);

    expect(accessesOf(parsed)).toHaveLength(1000);
  });

  it('falls back to resources, then to requestParameters.key', () => {
    const fromResources = recordFor(
      'DeleteObjects',
      {},
      {
        resources: [
          { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::example-phi-records/a.json' },
          { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::example-phi-records/b.json' },
          { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::example-phi-records' },
        ],
      },
    );
    const fromKey = recordFor('DeleteObjects', { key: 'c.json' }, { resources: [] });

    expect(accessesOf(fromResources).map((access) => access.key)).toEqual(['a.json', 'b.json']);
    expect(accessesOf(fromKey).map((access) => access.key)).toEqual(['c.json']);
  });
});
