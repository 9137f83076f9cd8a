/**
 * Deployment settings of phi-guard, read from CDK context (`cdk.json`, `cdk.context.json` or `-c key=value`).
 * Every value is validated here so that a typo fails synth with the key's name instead of deploying.
 */

/** Sizing and retention profile. `sandbox` can be torn down; `production` keeps evidence for six years. */
export type DeploymentProfile = 'production' | 'sandbox';

/** Containment technique for role sessions. */
export type RoleContainmentMode = 'token-issue-time' | 'session';

export interface PhiGuardConfig {
  /** Existing PHI buckets to watch. When empty, the stack creates one PHI bucket. */
  readonly phiBucketNames: readonly string[];
  readonly profile: DeploymentProfile;
  /** When true, violations are detected and alerted but nothing is contained. */
  readonly monitorMode: boolean;
  /** ARNs that containment never touches (break-glass roles, test principals). Service-linked roles are always protected. */
  readonly protectedPrincipalArns: readonly string[];
  readonly roleContainmentMode: RoleContainmentMode;
  /** E-mail addresses subscribed to security alerts. */
  readonly alertEmails: readonly string[];
  /** E-mail addresses subscribed to operational alarms. */
  readonly operationsEmails: readonly string[];
  /** How long the validator caches a principal's grants, in seconds. */
  readonly grantCacheTtlSeconds: number;
  /** Violations by one principal within this many minutes join one incident. */
  readonly incidentWindowMinutes: number;
  /** Default Object Lock retention of the evidence bucket, in days. */
  readonly evidenceRetentionDays: number;
  /** Age in days after which evidence moves to colder storage. */
  readonly evidenceTransitionDays: number;
  /** Days that decision indices are kept in OpenSearch. */
  readonly decisionIndexRetentionDays: number;
  /** Days of CloudTrail history that the response workflow queries for a principal. */
  readonly investigationLookbackDays: number;
  /** Kinesis shard count; undefined means on-demand capacity. */
  readonly streamShardCount?: number;
  readonly canaryEnabled: boolean;
  /** Minutes between canary reads by the granted canary role. */
  readonly canaryIntervalMinutes: number;
  /** EventBridge Scheduler expression of the reconciliation run. */
  readonly reconciliationSchedule: string;
}

/** Reads one context value by key; `undefined` when the key is not set. */
export type ContextReader = (key: string) => unknown;

const PROFILE_DEFAULTS: Record<DeploymentProfile, { evidenceRetentionDays: number }> = {
  production: { evidenceRetentionDays: 2190 },
  sandbox: { evidenceRetentionDays: 1 },
};

/** Builds a validated configuration from CDK context, applying the defaults of the chosen profile. */
export function readConfig(read: ContextReader): PhiGuardConfig {
  const profile = readEnum(read, 'profile', ['production', 'sandbox'], 'production');

  return {
    phiBucketNames: readStringList(read, 'phiBucketNames'),
    profile,
    monitorMode: readBoolean(read, 'monitorMode', false),
    protectedPrincipalArns: readStringList(read, 'protectedPrincipalArns'),
    roleContainmentMode: readEnum(
      read,
      'roleContainmentMode',
      ['token-issue-time', 'session'],
      'token-issue-time',
    ),
    alertEmails: readStringList(read, 'alertEmails'),
    operationsEmails: readStringList(read, 'operationsEmails'),
    grantCacheTtlSeconds: readInteger(read, 'grantCacheTtlSeconds', 60, 0, 3600),
    incidentWindowMinutes: readInteger(read, 'incidentWindowMinutes', 15, 1, 1440),
    evidenceRetentionDays: readInteger(
      read,
      'evidenceRetentionDays',
      PROFILE_DEFAULTS[profile].evidenceRetentionDays,
      1,
      36500,
    ),
    evidenceTransitionDays: readInteger(read, 'evidenceTransitionDays', 90, 1, 36500),
    decisionIndexRetentionDays: readInteger(read, 'decisionIndexRetentionDays', 365, 1, 36500),
    investigationLookbackDays: readInteger(read, 'investigationLookbackDays', 30, 1, 365),
    streamShardCount: readOptionalInteger(read, 'streamShardCount', 1, 1000),
    canaryEnabled: readBoolean(read, 'canaryEnabled', true),
    canaryIntervalMinutes: readInteger(read, 'canaryIntervalMinutes', 5, 1, 1440),
    reconciliationSchedule: readString(read, 'reconciliationSchedule', 'rate(1 day)'),
  };
}

function readStringList(read: ContextReader, key: string): string[] {
  const value = read(key);
  if (value === undefined || value === '') {
    return [];
  }
  // `-c key=a,b` arrives as a string; cdk.json can hold a JSON array.
  const items = typeof value === 'string' ? parseListText(value) : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new Error(
      `Context value "${key}" must be a list of non-empty strings, got ${JSON.stringify(value)}.`,
    );
  }
  return items;
}

function parseListText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    return JSON.parse(trimmed);
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function readBoolean(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (value === undefined) {
    return fallback;
  }
  if (value === true || value === 'true') {
    return true;
  }
  if (value === false || value === 'false') {
    return false;
  }
  throw new Error(`Context value "${key}" must be true or false, got ${JSON.stringify(value)}.`);
}

function readInteger(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  return readOptionalInteger(read, key, min, max) ?? fallback;
}

function readOptionalInteger(read: ContextReader, key: string, min: number, max: number): number | undefined {
  const value = read(key);
  if (value === undefined) {
    return undefined;
  }
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new Error(
      `Context value "${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
    );
  }
  return number;
}

function readString(read: ContextReader, key: string, fallback: string): string {
  const value = read(key);
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`Context value "${key}" must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function readEnum<T extends string>(read: ContextReader, key: string, allowed: readonly T[], fallback: T): T {
  const value = read(key);
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new Error(
      `Context value "${key}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`,
    );
  }
  return value as T;
}
