import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { arnReference } from './evidence-archive';
import { functionLogKey, INLINE_POLICY_REASON, PhiGuardFunction } from './lambda-defaults';

const OPENSEARCH_DIRECTORY = path.join(__dirname, '..', '..', 'opensearch');

/**
 * Creates the function of the `opensearch-setup` custom resource. Its role must be the domain's IAM
 * master user, so the domain is created after this function and before `OpenSearchSetup`.
 */
export function createSetupFunction(scope: Construct, id: string): PhiGuardFunction {
  return new PhiGuardFunction(scope, id, {
    entry: 'src/handlers/opensearch-setup.ts',
    description: 'Installs phi-guard role mappings, index template, ISM policy and dashboards in OpenSearch',
    serviceName: 'phi-guard-opensearch-setup',
    timeout: Duration.minutes(5),
  });
}

export interface OpenSearchSetupProps {
  /** The function from `createSetupFunction`, whose role is the domain's master user. */
  readonly handler: PhiGuardFunction;
  /** The domain to set up. */
  readonly domain: opensearch.IDomain;
  /** Role that Firehose delivers decisions with; it is mapped to `phi_guard_writer`. */
  readonly writerRole: iam.IRole;
  /** Role that analysts assume; it is mapped to `phi_guard_analyst` and read-only dashboards access. */
  readonly analystRole: iam.IRole;
  /** Days after which the ISM policy deletes a daily decision index. */
  readonly retentionDays: number;
}

/**
 * Custom resource that configures a domain with fine-grained access control through its REST API:
 * security roles and role mappings, the `phi-decisions` index template, the ISM retention policy and
 * the dashboards. It runs again whenever a file under `opensearch/` or a property changes. Deleting it
 * leaves the domain's data and settings in place.
 */
export class OpenSearchSetup extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: OpenSearchSetupProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(
        `OpenSearchSetup retentionDays must be a whole number of at least 1, got ${props.retentionDays}.`,
      );
    }

    props.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['es:ESHttp*'],
        resources: [props.domain.domainArn, `${props.domain.domainArn}/*`],
      }),
    );
    Validations.of(props.handler.role ?? props.handler).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Action::es:ESHttp*]',
        reason:
          'The setup calls the security, template, ISM and dashboards APIs with several HTTP methods; the access policy allows no DELETE.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${arnReference(props.domain)}/*]`,
        reason: 'The setup calls REST paths under one domain only.',
      },
    );
    const provider = createProvider(this, props.handler);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PhiGuardOpenSearchSetup',
      properties: {
        DomainEndpoint: props.domain.domainEndpoint,
        WriterRoleArn: props.writerRole.roleArn,
        AnalystRoleArn: props.analystRole.roleArn,
        RetentionDays: String(props.retentionDays),
        DocumentsHash: hashDirectory(OPENSEARCH_DIRECTORY),
      },
    });
  }
}

/** Hashes every file under `directory`, so that editing a template or dashboard triggers an update. */
function hashDirectory(directory: string): string {
  const hash = crypto.createHash('sha256');
  const files = fs.readdirSync(directory, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const fullPath = path.join(directory, file);
    if (fs.statSync(fullPath).isFile()) {
      hash.update(file).update(fs.readFileSync(fullPath));
    }
  }
  return hash.digest('hex');
}

/**
 * Creates the Provider with its own role and encrypted log group, in place of the role with the
 * AWSLambdaBasicExecutionRole managed policy that `cr.Provider` would create.
 */
function createProvider(scope: Construct, handler: PhiGuardFunction): cr.Provider {
  const logGroup = new logs.LogGroup(scope, 'ProviderLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: functionLogKey(scope),
  });
  const role = new iam.Role(scope, 'ProviderRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Execution role of the custom-resources framework function of opensearch-setup',
  });
  logGroup.grantWrite(role);

  const provider = new cr.Provider(scope, 'Provider', {
    onEventHandler: handler,
    frameworkOnEventRole: role,
    logGroup,
  });
  Validations.of(role).acknowledge(
    { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
    {
      id: `AwsSolutions-IAM5[Resource::${arnReference(handler)}:*]`,
      reason: 'The Provider framework may invoke any version of the setup function, hence the :* suffix.',
    },
  );
  Validations.of(provider).acknowledge(
    { id: 'AwsSolutions-L1', reason: 'The Provider framework chooses the runtime of its own function.' },
    {
      id: 'HIPAA.Security-LambdaDLQ',
      reason: 'CloudFormation invokes the framework synchronously and reports its failures.',
    },
    {
      id: 'HIPAA.Security-LambdaConcurrency',
      reason: 'The framework runs only during deployments, once per stack operation.',
    },
    {
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason: 'The framework calls only the Lambda API and a CloudFormation presigned URL over TLS.',
    },
  );
  return provider;
}
