import { KinesisBatchBuilder } from '../../src/cli/replay/kinesis-batches';

function record(
  index: number,
  identity: Record<string, unknown>,
): { file: string; position: number; record: unknown } {
  return {
    file: 'logs.jsonl',
    position: index + 1,
    record: {
      eventID: `event-${index}`,
      eventTime: '2025-03-14T10:00:00Z',
      eventSource: 's3.amazonaws.com',
      userIdentity: identity,
    },
  };
}

describe('KinesisBatchBuilder', () => {
  it('fills batches of the given size', () => {
    const builder = new KinesisBatchBuilder(2);
    const identity = { arn: 'arn:aws:iam::111122223333:user/a' };
    const results = [0, 1, 2].map((index) => builder.add(record(index, identity)));
    expect(results.map((batch) => batch?.event.Records.length)).toEqual([undefined, 2, undefined]);
    expect(builder.flush()?.event.Records).toHaveLength(1);
    expect(builder.flush()).toBeUndefined();
  });

  it('numbers records in increasing order', () => {
    const builder = new KinesisBatchBuilder(3);
    [0, 1].forEach((index) => builder.add(record(index, {})));
    const batch = builder.add(record(2, {}))!;
    const numbers = batch.event.Records.map((item) => BigInt(item.kinesis.sequenceNumber));
    expect(numbers[1] - numbers[0]).toBe(1n);
    expect(numbers[2] - numbers[1]).toBe(1n);
    expect(batch.event.Records[0].eventID).toBe(`shardId-000000000000:${numbers[0]}`);
    expect(batch.sources.get(String(numbers[2]))?.position).toBe(3);
  });

  it('wraps records as EventBridge events', () => {
    const builder = new KinesisBatchBuilder(1);
    const batch = builder.add(record(0, { arn: 'arn:aws:iam::111122223333:user/a' }))!;
    const data = JSON.parse(Buffer.from(batch.event.Records[0].kinesis.data, 'base64').toString('utf8'));
    expect(data['detail-type']).toBe('AWS API Call via CloudTrail');
    expect(data.source).toBe('aws.s3');
    expect(data.detail.eventID).toBe('event-0');
    expect(batch.event.Records[0].kinesis.approximateArrivalTimestamp).toBe(
      Date.parse('2025-03-14T10:00:00Z') / 1000,
    );
  });

  it.each([
    [
      { arn: 'arn:aws:iam::111122223333:user/a', accountId: '111122223333' },
      'arn:aws:iam::111122223333:user/a',
    ],
    [{ type: 'AWSAccount', accountId: '444455556666', principalId: 'AROAEXAMPLE:s' }, '444455556666'],
    [{ type: 'AWSService', invokedBy: 'macie.amazonaws.com' }, 'macie.amazonaws.com'],
    [{}, 'unknown-principal'],
    [
      { arn: `arn:aws:iam::111122223333:user/${'x'.repeat(300)}` },
      `arn:aws:iam::111122223333:user/${'x'.repeat(225)}`,
    ],
  ])('partition key of %j', (identity, expected) => {
    const batch = new KinesisBatchBuilder(1).add(record(0, identity))!;
    expect(batch.event.Records[0].kinesis.partitionKey).toBe(expected);
  });
});
