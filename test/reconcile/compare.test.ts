import { compareWithArchive } from '../../src/reconcile/compare';
import { toEventBridgeEvent, toStreamRecord } from '../../src/reconcile/envelope';
import { isSelectedByRule } from '../../src/reconcile/rule-scope';
import { extractRecords } from '../../src/domain/cloudtrail-input';
import {
  CLINICIAN_SESSION_ARN,
  copyOutEvent,
  dataEvent,
  deleteObjectsEvent,
  eventId,
  OTHER_BUCKET,
  PHI_BUCKET,
} from './fixtures';

const MONITORED = new Set([PHI_BUCKET]);

describe('isSelectedByRule', () => {
  test.each([
    ['object read in a PHI bucket', dataEvent({ eventId: eventId(1) }), true],
    ['copy out of a PHI bucket', copyOutEvent(eventId(2)), true],
    ['read in another bucket', dataEvent({ eventId: eventId(3), bucket: OTHER_BUCKET }), false],
    ['management event', dataEvent({ eventId: eventId(4), eventCategory: 'Management' }), false],
    [
      'directory bucket source',
      dataEvent({ eventId: eventId(5), eventSource: 's3express.amazonaws.com' }),
      false,
    ],
    ['not an object', 'GetObject', false],
  ])('%s', (_name, record, expected) => {
    expect(isSelectedByRule(record, MONITORED)).toBe(expected);
  });

  test('every bucket without a list', () => {
    expect(isSelectedByRule(dataEvent({ eventId: eventId(6), bucket: OTHER_BUCKET }), undefined)).toBe(true);
  });
});

describe('compareWithArchive', () => {
  test('counts duplicates once', () => {
    const record = dataEvent({ eventId: eventId(1) });
    const result = compareWithArchive(
      [record, record, dataEvent({ eventId: eventId(2) })],
      () => false,
      MONITORED,
    );

    expect(result.counts).toEqual({ expected: 2, received: 0, missing: 2, withoutEventId: 0 });
    expect(result.missing.map((event) => event.eventId)).toEqual([eventId(1), eventId(2)]);
  });

  test('several accesses are one event', () => {
    const record = deleteObjectsEvent(eventId(7), [
      'patients/0001/a.pdf',
      'patients/0002/b.pdf',
      'patients/0003/c.pdf',
    ]);
    const result = compareWithArchive([record], () => false, MONITORED);

    expect(result.counts.expected).toBe(1);
    expect(result.missing).toHaveLength(1);
    expect(result.missing[0].record).toBe(record);
  });

  test('ignores out-of-scope events', () => {
    const records = [
      dataEvent({ eventId: eventId(1) }),
      dataEvent({ eventId: eventId(2), bucket: OTHER_BUCKET }),
      dataEvent({ eventId: eventId(3), eventCategory: 'Management', eventName: 'PutBucketPolicy' }),
    ];
    const result = compareWithArchive(records, () => false, MONITORED);

    expect(result.counts).toEqual({ expected: 1, received: 0, missing: 1, withoutEventId: 0 });
    expect(result.missing[0].eventId).toBe(eventId(1));
  });

  test('received events are not missing', () => {
    const archived = new Set([eventId(1), eventId(3)]);
    const records = [1, 2, 3, 4].map((number) => dataEvent({ eventId: eventId(number) }));
    const result = compareWithArchive(records, (id) => archived.has(id), MONITORED);

    expect(result.counts).toEqual({ expected: 4, received: 2, missing: 2, withoutEventId: 0 });
    expect(result.missing.map((event) => event.eventId)).toEqual([eventId(2), eventId(4)]);
  });

  test('records without eventID are counted', () => {
    const { eventID: _omitted, ...withoutId } = dataEvent({ eventId: eventId(1) });
    const result = compareWithArchive([withoutId], () => false, MONITORED);

    expect(result.counts).toEqual({ expected: 0, received: 0, missing: 0, withoutEventId: 1 });
  });
});

describe('stream record', () => {
  test('envelope matches the rule shape', () => {
    const record = dataEvent({ eventId: eventId(1), eventTime: '2025-03-01T09:15:27.123Z' });
    const event = toEventBridgeEvent(record);

    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      account: '111122223333',
      region: 'us-east-1',
      time: '2025-03-01T09:15:27Z',
      detail: record,
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(toEventBridgeEvent(record).id).toBe(event.id);
    expect(extractRecords(event)).toEqual([record]);
  });

  test.each([
    ['principal ARN', CLINICIAN_SESSION_ARN, CLINICIAN_SESSION_ARN],
    ['envelope id without ARN', null, undefined],
  ])('partition key is %s', (_name, principalArn, expected) => {
    const record = dataEvent({ eventId: eventId(1), principalArn });
    const streamRecord = toStreamRecord(eventId(1), record);

    expect(streamRecord.partitionKey).toBe(expected ?? toEventBridgeEvent(record).id);
  });
});
