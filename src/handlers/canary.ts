/**
 * Lambda entries of the canary. `handler` reads the synthetic PHI object with the function's role, and
 * each canary role has its own function. `setupHandler` is the custom resource that writes the object
 * and the grants.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { createCanaryHandler, readCanarySettings } from '../canary/read-canary';
import { applyCanarySetup } from '../canary/setup';

const requestHandler = () =>
  new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10_000, throwOnRequestTimeout: true });
const s3 = new S3Client({ requestHandler: requestHandler() });
const dynamoDb = new DynamoDBClient({ requestHandler: requestHandler() });
const logger = new Logger();

/** Built on first use, because the setup function has none of the reader's environment variables. */
let readHandler: ReturnType<typeof createCanaryHandler> | undefined;

export const handler = (event: unknown, context: Context) => {
  readHandler ??= createCanaryHandler({
    s3,
    settings: readCanarySettings(process.env),
    logger,
    metrics: new Metrics(),
  });
  return readHandler(event, context);
};

/** Applies the request and sends the outcome to CloudFormation's pre-signed response URL. */
export const setupHandler = async (event: CloudFormationCustomResourceEvent): Promise<void> => {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'Canary object and grants applied.';
  // A failed creation still needs a physical id; later requests carry the one CloudFormation stored.
  let physicalId = event.RequestType === 'Create' ? event.LogicalResourceId : event.PhysicalResourceId;
  try {
    physicalId = await applyCanarySetup(event, { s3, dynamoDb });
  } catch (error) {
    status = 'FAILED';
    reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.error('Canary setup failed', { requestType: event.RequestType, error });
  }

  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) {
    throw new Error(`Sending the custom resource response failed with HTTP ${response.status}.`);
  }
};
