import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Options that every command reaching a deployed table accepts. */
export interface AwsClientOptions {
  /** AWS Region; when omitted the SDK reads AWS_REGION or the shared config file. */
  readonly region?: string;
  /** Endpoint URL that replaces the DynamoDB service endpoint, such as a local dynalite server. */
  readonly endpoint?: string;
}

/** Creates a DynamoDB client that signs with the default AWS credential provider chain. */
export function createDynamoDbClient(options: AwsClientOptions): DynamoDBClient {
  return new DynamoDBClient({ region: options.region, endpoint: options.endpoint });
}
