import { gzipSync } from 'node:zlib';
import { extractRecords, parseCloudTrailText } from '../../src/domain/cloudtrail-input';
import { InvalidRecordError } from '../../src/domain/errors';
import { loadFixture } from './fixture-loader';

const record = loadFixture('getobject-iamuser.json');
const envelope = loadFixture('eventbridge-putobject.json');
const logFile = loadFixture('log-file.json');

describe('extractRecords', () => {
  it.each([
    ['one record', record, 1],
    ['an EventBridge envelope', envelope, 1],
    ['a log file', logFile, 3],
    ['an array of mixed documents', [record, envelope, logFile], 5],
    ['an empty log file', { Records: [] }, 0],
    ['an empty array', [], 0],
  ])('accepts %s', (_name, document, count) => {
    expect(extractRecords(document)).toHaveLength(count);
  });

  it('returns the detail of an envelope', () => {
    expect(extractRecords(envelope)).toEqual([envelope.detail]);
  });

  it.each([
    ['null', null, 'received null'],
    ['a number', 42, 'received number 42'],
    ['an unrelated object', { hello: 'world' }, 'has none of the fields Records, detail-type'],
    ['another detail-type', { 'detail-type': 'Object Created', detail: {} }, 'detail-type "Object Created"'],
    [
      'an envelope without detail',
      { 'detail-type': 'AWS API Call via CloudTrail' },
      'The CloudTrail record in the detail of the EventBridge event is nothing, not a JSON object.',
    ],
    [
      'an envelope with a number as detail',
      { 'detail-type': 'AWS API Call via CloudTrail', detail: 42 },
      'The CloudTrail record in the detail of the EventBridge event is number 42, not a JSON object.',
    ],
    ['Records that is not an array', { Records: {} }, 'has Records an object'],
    ['nested arrays', [[record]], 'Item 0 of the array is itself an array'],
  ])('rejects %s', (_name, document, message) => {
    expect(() => extractRecords(document)).toThrow(InvalidRecordError);
    expect(() => extractRecords(document)).toThrow(message);
  });
});

describe('parseCloudTrailText', () => {
  const logText = JSON.stringify(logFile);

  it('reads a gzipped log file', () => {
    expect(parseCloudTrailText(gzipSync(logText))).toEqual(logFile.Records);
  });

  it('reads plain bytes and strings', () => {
    expect(parseCloudTrailText(Buffer.from(logText))).toHaveLength(3);
    expect(parseCloudTrailText(`\uFEFF${logText}\n`)).toHaveLength(3);
  });

  it('reads JSON lines of records and envelopes', () => {
    const lines = [JSON.stringify(record), '', JSON.stringify(envelope), JSON.stringify(logFile)].join(
      '\r\n',
    );

    const records = parseCloudTrailText(lines);

    expect(records).toHaveLength(5);
    expect(records[1]).toEqual(envelope.detail);
  });

  it('reads a JSON array document', () => {
    expect(parseCloudTrailText(JSON.stringify([record, record]))).toHaveLength(2);
  });

  it('returns nothing for empty content', () => {
    expect(parseCloudTrailText('')).toEqual([]);
    expect(parseCloudTrailText(gzipSync(' \n'))).toEqual([]);
  });

  it.each([
    ['broken JSON', '{"Records": [', 'not valid JSON or JSON lines'],
    ['a broken second line', `${JSON.stringify(record)}\n{"eventID": `, 'invalid JSON on line 2'],
    ['truncated gzip', gzipSync(logText).subarray(0, 20), 'Failed to decompress gzipped CloudTrail content'],
  ])('rejects %s', (_name, content, message) => {
    expect(() => parseCloudTrailText(content)).toThrow(InvalidRecordError);
    expect(() => parseCloudTrailText(content)).toThrow(message);
  });
});
