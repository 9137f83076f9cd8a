import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Repository root: every `entry` is resolved against it, and it holds package-lock.json. */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** Acknowledgment reason for the policy that CDK grants attach to a role, shared by every phi-guard role. */
export const INLINE_POLICY_REASON =
  'The policy belongs to this role alone and lists only the resources the role uses, so a managed policy would not narrow access.';

/** Construct id of the stack-wide key that encrypts every function's log group. */
const LOG_KEY_ID = 'PhiGuardFunctionLogKey';

/**
 * esbuild emits ES modules because @middy/core 7 ships ES modules only. Bundled CommonJS
 * dependencies still call `require` for Node.js built-ins, which ES modules lack, so the banner
 * defines it.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module';" +
  'const require = topLevelCreateRequire(import.meta.url);';

/**
 * Providers of the AWS SDK's default credential chain that never run in Lambda, left out of every
 * bundle. Lambda passes the function's credentials in environment variables, which the chain reads
 * first, and the chain loads each later provider with a dynamic `import()` only when the ones before it
 * failed. These providers bring the STS, SSO and sign-in clients of `@aws-sdk/nested-clients`, about
 * 100 to 130 KiB of each bundle with an SDK client (measured with `npm run bench`).
 *
 * NOTE: with `AWS_PROFILE` set, or without the environment credentials, the chain would import one of
 * these packages at run time and fail with ERR_MODULE_NOT_FOUND, unless the runtime supplies it.
 */
export const UNUSED_CREDENTIAL_PROVIDERS: readonly string[] = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
];

export interface PhiGuardFunctionProps {
  /** Path of the handler module, relative to the repository root, such as `src/handlers/validator.ts`. */
  readonly entry: string;
  /**
   * Name of the exported handler function.
   * @default 'handler'
   */
  readonly handler?: string;
  /** One sentence on what the function does, shown in the Lambda console. */
  readonly description: string;
  /** Value of `POWERTOOLS_SERVICE_NAME`, the `service` key of every log line and metric. */
  readonly serviceName: string;
  /**
   * Value of `POWERTOOLS_METRICS_NAMESPACE`.
   * @default 'PhiGuard'
   */
  readonly metricsNamespace?: string;
  /**
   * Environment variables in addition to the Powertools ones. The caller that adds a variable also
   * grants the permission that the variable implies.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrent executions. Reserving capacity fails deployment in accounts whose
   * unreserved concurrency would drop below 100, so it stays opt-in.
   * @default - no reservation, so the function draws on the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Queue that receives asynchronous invocations that failed every retry. Give one for functions
   * that an asynchronous source (EventBridge Scheduler, S3 notifications) invokes.
   * @default - none, for functions that only event source mappings, state machines or the CLI
   * invoke synchronously, where the caller owns retries and failure destinations
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A Node.js 22 Lambda function on ARM64 with phi-guard's defaults. esbuild bundles it locally (no
 * Docker) into a minified ES module with source maps. It logs JSON to its own log group, which a
 * stack-wide KMS key encrypts, and traces with X-Ray. Its execution role starts with write access
 * to that log group and X-Ray only, and callers add the grants their environment variables need.
 */
export class PhiGuardFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PhiGuardFunctionProps) {
    const logGroup = createLogGroup(scope, `${id}LogGroup`, props);
    const role = createExecutionRole(scope, `${id}Role`, logGroup, props.description);

    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: props.deadLetterQueue,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...powertoolsEnvironment(props), ...props.environment },
      bundling: bundlingOptions(),
    });

    acknowledgeFunctionFindings(this, role, props);
  }
}

function powertoolsEnvironment(props: PhiGuardFunctionProps): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: props.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'PhiGuard',
    // Events carry PHI object keys and principals, so the logger never writes whole events.
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    // Stack traces point into the TypeScript sources through the bundled source maps.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function bundlingOptions() {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    // The AWS SDK is bundled too, so the function runs the SDK version that the tests ran.
    bundleAwsSDK: true,
    externalModules: [...UNUSED_CREDENTIAL_PROVIDERS],
  };
}

function createLogGroup(scope: Construct, id: string, props: PhiGuardFunctionProps): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey: functionLogKey(scope),
    removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
  });
}

function createExecutionRole(
  scope: Construct,
  id: string,
  logGroup: logs.ILogGroup,
  description: string,
): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role: ${description}`,
  });
  // Replaces the AWSLambdaBasicExecutionRole managed policy, which may write to every log group.
  logGroup.grantWrite(role);
  return role;
}

/**
 * Returns the stack-wide KMS key for function log groups, creating it on first use. One key
 * serves every function so that adding a function adds no key cost.
 */
export function functionLogKey(scope: Construct): kms.Key {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOG_KEY_ID);
  if (existing instanceof kms.Key) {
    return existing;
  }

  const key = new kms.Key(stack, LOG_KEY_ID, {
    description: 'phi-guard: encrypts the log groups of phi-guard Lambda functions',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
  return key;
}

function acknowledgeFunctionFindings(
  fn: lambda.Function,
  role: iam.Role,
  props: PhiGuardFunctionProps,
): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'phi-guard is built and tested on Node.js 22, and @middy/core 7 needs at least that version.',
  });
  Validations.of(fn).acknowledge({
    id: 'HIPAA.Security-LambdaInsideVPC',
    reason:
      'The function calls only AWS service APIs over TLS with IAM authentication and reaches no VPC resource.',
  });
  if (props.deadLetterQueue === undefined) {
    Validations.of(fn).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason: 'Callers invoke the function synchronously and own its retries and failure destination.',
    });
  }
  if (props.reservedConcurrentExecutions === undefined) {
    Validations.of(fn).acknowledge({
      id: 'HIPAA.Security-LambdaConcurrency',
      reason: 'A reservation fails deployment in accounts with a low concurrency quota, so callers opt in.',
    });
  }
  Validations.of(role).acknowledge({
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    reason: INLINE_POLICY_REASON,
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
  });
}
