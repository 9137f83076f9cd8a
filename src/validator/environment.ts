import { DEFAULT_GRANT_CACHE_TTL_SECONDS } from './grant-cache';

/** Settings of the validator Lambda, read from its environment variables. */
export interface ValidatorEnvironment {
  /** `GRANTS_TABLE_NAME` (required). */
  readonly grantsTableName: string;
  /** `MONITORED_BUCKETS`, comma-separated; unset or empty means every bucket. */
  readonly monitoredBuckets?: ReadonlySet<string>;
  /** `GRANT_CACHE_TTL_SECONDS`, a whole number from 0 to 3600; 0 disables the cache. @default 60 */
  readonly grantCacheTtlSeconds: number;
  /** `DECISION_STREAM_NAME`: the decisions Firehose delivery stream; unset means decisions are not archived. */
  readonly decisionStreamName?: string;
  /** `TRIAGE_STATE_MACHINE_ARN`: the Express triage state machine; unset means violations are not triaged. */
  readonly triageStateMachineArn?: string;
  /** `POWERTOOLS_SERVICE_NAME`. @default 'phi-guard-validator' */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`. @default 'PhiGuard' */
  readonly metricsNamespace: string;
  /** `CANARY_PRINCIPAL_KEYS`, comma-separated: principals whose every decision is logged at INFO. */
  readonly loggedPrincipalKeys: ReadonlySet<string>;
}

export const VALIDATOR_ENVIRONMENT_VARIABLES = [
  'GRANTS_TABLE_NAME',
  'MONITORED_BUCKETS',
  'GRANT_CACHE_TTL_SECONDS',
  'DECISION_STREAM_NAME',
  'TRIAGE_STATE_MACHINE_ARN',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'CANARY_PRINCIPAL_KEYS',
] as const;

/**
 * Characters of S3 bucket names, including legacy us-east-1 names with capitals and underscores (up to 255
 * characters). The check catches ARNs and paths, not every naming rule.
 */
const BUCKET_NAME = /^[A-Za-z0-9._-]{3,255}$/;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** Missing or invalid environment variables. The message lists each variable and the value it expects. */
export class ValidatorConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid validator configuration: ${problems.join(' ')}`);
    this.name = 'ValidatorConfigurationError';
  }
}

/**
 * Reads and validates the validator's environment variables.
 * @throws ValidatorConfigurationError listing every missing or invalid variable at once.
 */
export function readValidatorEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): ValidatorEnvironment {
  const problems: string[] = [];
  const grantsTableName = optional(env.GRANTS_TABLE_NAME);
  if (grantsTableName === undefined) {
    problems.push('GRANTS_TABLE_NAME is missing; set it to the name of the grants DynamoDB table.');
  }
  const monitoredBuckets = readBuckets(env.MONITORED_BUCKETS, problems);
  const grantCacheTtlSeconds = readTtl(env.GRANT_CACHE_TTL_SECONDS, problems);
  const triageStateMachineArn = optional(env.TRIAGE_STATE_MACHINE_ARN);
  if (triageStateMachineArn !== undefined && !STATE_MACHINE_ARN.test(triageStateMachineArn)) {
    problems.push(
      `TRIAGE_STATE_MACHINE_ARN "${triageStateMachineArn}" is not a Step Functions state machine ARN.`,
    );
  }
  if (problems.length > 0) {
    throw new ValidatorConfigurationError(problems);
  }

  return {
    grantsTableName: grantsTableName as string,
    monitoredBuckets,
    grantCacheTtlSeconds,
    decisionStreamName: optional(env.DECISION_STREAM_NAME),
    triageStateMachineArn,
    serviceName: optional(env.POWERTOOLS_SERVICE_NAME) ?? 'phi-guard-validator',
    metricsNamespace: optional(env.POWERTOOLS_METRICS_NAMESPACE) ?? 'PhiGuard',
    loggedPrincipalKeys: new Set(
      (optional(env.CANARY_PRINCIPAL_KEYS) ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key !== ''),
    ),
  };
}

function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function readBuckets(value: string | undefined, problems: string[]): ReadonlySet<string> | undefined {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const invalid = names.filter((name) => !BUCKET_NAME.test(name));
  if (invalid.length > 0) {
    problems.push(
      `MONITORED_BUCKETS holds invalid bucket names (${invalid.join(', ')}); list bucket names, not ARNs.`,
    );
  }
  return names.length === 0 ? undefined : new Set(names);
}

function readTtl(value: string | undefined, problems: string[]): number {
  const text = optional(value);
  if (text === undefined) {
    return DEFAULT_GRANT_CACHE_TTL_SECONDS;
  }
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds > 3600) {
    problems.push(`GRANT_CACHE_TTL_SECONDS "${text}" must be a whole number of seconds from 0 to 3600.`);
  }
  return seconds;
}
