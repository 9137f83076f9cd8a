/**
 * Lambda entry of the `opensearch-setup` custom resource (the `onEvent` handler of a custom-resources
 * `Provider`). It signs its requests with the function's role, which is the domain's IAM master user.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Logger } from '@aws-lambda-powertools/logger';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { RequestType, runSetup } from '../opensearch-setup/run-setup';
import { SetupSettings } from '../opensearch-setup/setup-documents';
import { Clock, RequestSigner, SignedClient } from '../opensearch-setup/signed-client';

const logger = new Logger({ serviceName: 'phi-guard-opensearch-setup' });

const signer: RequestSigner = new SignatureV4({
  service: 'es',
  region: process.env.AWS_REGION ?? '',
  credentials: defaultProvider(),
  sha256: Sha256,
});

const clock: Clock = {
  now: () => new Date(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** Properties of the custom resource, as CloudFormation passes them (every value a string). */
interface SetupProperties {
  readonly DomainEndpoint: string;
  readonly WriterRoleArn: string;
  readonly AnalystRoleArn: string;
  readonly RetentionDays: string;
}

export interface SetupResult {
  readonly PhysicalResourceId: string;
}

/** Installs roles, mappings, template, ISM policy and dashboards on Create and Update; does nothing on Delete. */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<SetupResult> {
  const properties = event.ResourceProperties as unknown as SetupProperties;
  const physicalResourceId = `opensearch-setup-${properties.DomainEndpoint}`;
  logger.info('Custom resource event received.', {
    requestType: event.RequestType,
    requestId: event.RequestId,
    domainEndpoint: properties.DomainEndpoint,
  });

  const client = new SignedClient({
    endpoint: new URL(`https://${properties.DomainEndpoint}`),
    signer,
    clock,
  });
  await runSetup(event.RequestType as RequestType, readSettings(properties), client);

  logger.info('OpenSearch setup finished.', { requestType: event.RequestType, requestId: event.RequestId });
  return { PhysicalResourceId: physicalResourceId };
}

function readSettings(properties: SetupProperties): SetupSettings {
  return {
    writerRoleArn: properties.WriterRoleArn,
    analystRoleArn: properties.AnalystRoleArn,
    retentionDays: Number(properties.RetentionDays),
  };
}
