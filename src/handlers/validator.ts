/**
 * Lambda entry of the validator: Kinesis batches of CloudTrail S3 data events in, decisions to the
 * decisions Firehose stream and triage executions out. Clients are built once per execution environment;
 * a missing or invalid environment variable fails the cold start with a message that names it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SFNClient } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readValidatorEnvironment } from '../validator/environment';
import { FirehoseDecisionPublisher } from '../validator/firehose-publisher';
import { createValidatorHandler } from '../validator/handler';
import { StepFunctionsTriageStarter } from '../validator/sfn-triage-starter';

const environment = readValidatorEnvironment(process.env);

/**
 * Bounded timeouts, so that a stalled connection fails its principals' records instead of the whole invocation.
 * Without `throwOnRequestTimeout`, @smithy/node-http-handler 4 only logs a warning when `requestTimeout` passes.
 */
const requestHandler = (): NodeHttpHandler =>
  new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true });

const logger = new Logger({ serviceName: environment.serviceName });
const metrics = new Metrics({
  namespace: environment.metricsNamespace,
  serviceName: environment.serviceName,
});

const publisher =
  environment.decisionStreamName === undefined
    ? undefined
    : new FirehoseDecisionPublisher({
        client: new FirehoseClient({ requestHandler: requestHandler() }),
        deliveryStreamName: environment.decisionStreamName,
      });

const triageStarter =
  environment.triageStateMachineArn === undefined
    ? undefined
    : new StepFunctionsTriageStarter({
        client: new SFNClient({ requestHandler: requestHandler() }),
        stateMachineArn: environment.triageStateMachineArn,
      });

export const handler = createValidatorHandler({
  dynamoDb: new DynamoDBClient({ requestHandler: requestHandler() }),
  grantsTableName: environment.grantsTableName,
  monitoredBuckets: environment.monitoredBuckets,
  grantCacheTtlSeconds: environment.grantCacheTtlSeconds,
  loggedPrincipalKeys: environment.loggedPrincipalKeys,
  publisher,
  triageStarter,
  logger,
  metrics,
});
