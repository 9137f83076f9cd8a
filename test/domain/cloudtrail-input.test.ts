import { gzipSync } from 'node:zlib';
import {
  extractRecords,
  parseCloudTrailText,
  readCloudTrailContent,
} from '../../src/domain/cloudtrail-input';
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
    [
      'broken JSON',
      '{"Records": [',
      'CloudTrail content is not valid JSON: Unexpected end of JSON input at line 1, column 14.',
    ],
    [
      'a broken second line',
      `${JSON.stringify(record)}\n{"eventID": `,
      'Line 2 is not valid JSON: Unexpected end of JSON input at column 12.',
    ],
    [
      'a line of another shape',
      `${JSON.stringify(record)}\n42`,
      'Line 2 is not a CloudTrail document: Expected a CloudTrail record',
    ],
    ['truncated gzip', gzipSync(logText).subarray(0, 20), 'Failed to decompress gzipped CloudTrail content'],
  ])('rejects %s', (_name, content, message) => {
    expect(() => parseCloudTrailText(content)).toThrow(InvalidRecordError);
    expect(() => parseCloudTrailText(content)).toThrow(message);
  });
});

describe('readCloudTrailContent', () => {
  const recordLine = JSON.stringify(record);
  const envelopeLine = JSON.stringify(envelope);
  const prettyLines = JSON.stringify(logFile, null, 2).split('\n');

  /** Returns the pretty-printed log file cut off after `lineCount` lines and `characters` of the next line. */
  function truncatedLogFile(lineCount: number, characters: number): string {
    return `${prettyLines.slice(0, lineCount).join('\n')}\n${prettyLines[lineCount].slice(0, characters)}`;
  }

  it('reads a pretty-printed log file', () => {
    const content = readCloudTrailContent(JSON.stringify(logFile, null, 2), 'log.json');
    expect(content).toEqual({ entries: (logFile.Records as unknown[]).map((item) => ({ record: item })) });
  });

  it.each([
    ['named .jsonl', 'events.jsonl', recordLine],
    ['named .ndjson.gz', 'events.ndjson.gz', recordLine],
    ['without a name', undefined, recordLine],
    ['starting with an array', 'events.json', JSON.stringify([record])],
  ])('reads JSON lines %s', (_name, fileName, firstLine) => {
    const text = [firstLine, envelopeLine, JSON.stringify(logFile)].join('\n');
    const content = readCloudTrailContent(text, fileName);
    expect(content).toEqual({
      entries: [record, envelope.detail, ...(logFile.Records as unknown[])].map((item) => ({ record: item })),
    });
  });

  it('keeps the good lines around a bad one', () => {
    const text = ['', recordLine, '{"eventID": "broken', '42', envelopeLine, ''].join('\r\n');

    const content = readCloudTrailContent(text, 'events.json');

    expect(content).toEqual({
      entries: [
        { record },
        { record: undefined, invalid: 'Line 3 is not valid JSON: Unterminated string at column 20.' },
        {
          record: undefined,
          invalid:
            'Line 4 is not a CloudTrail document: Expected a CloudTrail record, an EventBridge event or a log file object; received number 42.',
        },
        { record: envelope.detail },
      ],
    });
  });

  it.each([
    ['.jsonl', 'events.jsonl', false],
    ['.JSONL.GZ', 'EVENTS.JSONL.GZ', true],
    ['.ndjson', 'events.ndjson', false],
  ])('reads a %s file with a broken first line', (_name, fileName, gzipped) => {
    const text = ['{"eventID": ', recordLine, envelopeLine].join('\n');

    const content = readCloudTrailContent(gzipped ? gzipSync(text) : text, fileName);

    expect(content).toEqual({
      entries: [
        {
          record: undefined,
          invalid: 'Line 1 is not valid JSON: Unexpected end of JSON input at column 12.',
        },
        { record },
        { record: envelope.detail },
      ],
    });
  });

  it.each([['events.json'], ['events.json.gz'], [undefined]])(
    'rejects a broken first line in %s',
    (fileName) => {
      const text = ['{"eventID": ', recordLine, envelopeLine].join('\n');
      expect(readCloudTrailContent(text, fileName)).toEqual({
        unreadable:
          "CloudTrail content is not valid JSON: Expected ',' or '}' after property value at line 3, column 1.",
      });
    },
  );

  it.each([
    ['plain', 'log.json', false],
    ['gzipped', 'log.json.gz', true],
  ])('rejects a truncated pretty-printed %s file once', (_name, fileName, gzipped) => {
    const text = truncatedLogFile(20, 22);
    expect(text.split('\n')).toHaveLength(21);

    const content = readCloudTrailContent(gzipped ? gzipSync(text) : text, fileName);

    expect(content).toEqual({
      unreadable: 'CloudTrail content is not valid JSON: Unterminated string at line 21, column 23.',
    });
  });

  it.each([
    ['a comma', 30, 'Expected double-quoted property name'],
    ['a value', 31, "Expected ',' or '}' after property value"],
  ])('places the end of a document cut after %s', (_name, lineCount, reason) => {
    const text = `${truncatedLogFile(lineCount, 0)}\n\n`;
    const column = prettyLines[lineCount - 1].length + 1;
    expect(readCloudTrailContent(text, 'log.json')).toEqual({
      unreadable: `CloudTrail content is not valid JSON: ${reason} at line ${lineCount}, column ${column}.`,
    });
  });

  it('places an unexpected token without quoting the text', () => {
    const lines = [...prettyLines];
    lines[20] = lines[20].replace(
      '"key": "patients/p-1001/visit-2025-01-14.json"',
      '"key": patients/p-1001/x',
    );

    const content = readCloudTrailContent(lines.join('\n'), 'log.json');

    expect(content).toEqual({
      unreadable: "CloudTrail content is not valid JSON: Unexpected token 'p' at line 21, column 16.",
    });
  });

  it('places an unexpected token in a JSON line', () => {
    const content = readCloudTrailContent([recordLine, '{"eventID": x}'].join('\n'), 'events.jsonl');
    expect(content).toEqual({
      entries: [
        { record },
        { record: undefined, invalid: "Line 2 is not valid JSON: Unexpected token 'x' at column 13." },
      ],
    });
  });

  it.each([
    ['another shape', '{"Items": []}', 'The object has none of the fields Records, detail-type'],
    [
      'truncated gzip',
      gzipSync(recordLine).subarray(0, 20),
      'Failed to decompress gzipped CloudTrail content',
    ],
  ])('rejects %s as a whole', (_name, content, message) => {
    const read = readCloudTrailContent(content, 'events.jsonl');
    expect(read).toEqual({ unreadable: expect.stringContaining(message) });
  });

  it('returns no entries for an empty file', () => {
    expect(readCloudTrailContent('\uFEFF \n', 'events.jsonl')).toEqual({ entries: [] });
  });
});
