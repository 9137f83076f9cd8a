import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { startLocalDynamoDb } from '../../src/local/local-dynamodb';
import { startLocalKinesis } from '../../src/local/local-kinesis';

describe('local AWS servers', () => {
  it('dynalite serves the DynamoDB API on 127.0.0.1', async () => {
    const local = await startLocalDynamoDb();
    try {
      expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await local.client.send(
        new CreateTableCommand({
          TableName: 'probe',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const tables = await local.client.send(new ListTablesCommand({}));
      expect(tables.TableNames).toEqual(['probe']);
    } finally {
      await local.stop();
    }
  });

  it('kinesalite serves the Kinesis API over HTTP/1.1', async () => {
    const local = await startLocalKinesis();
    try {
      await local.client.send(new CreateStreamCommand({ StreamName: 'probe', ShardCount: 1 }));
      const streams = await local.client.send(new ListStreamsCommand({}));
      expect(streams.StreamNames).toEqual(['probe']);
    } finally {
      await local.stop();
    }
  });
});
