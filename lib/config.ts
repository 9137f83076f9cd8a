/**
 * Deployment settings of phi-guard, read from CDK context (`cdk.json`, `cdk.context.json` or `-c key=value`).
 * Every value is validated here so that a typo fails synth with the key's name instead of deploying.
 * `checkContextKeys` in `config-context-keys.ts` rejects unknown and misspelled key names.
 */
import { ConfigError } from './config-error';
import { checkProtectedPrincipalArns } from './config-principals';
import { checkScheduleExpression, findDailyRunProblem } from './config-schedule';
import {
  readBoolean,
  readBucketNames,
  readEmailAddresses,
  readEnum,
  readInteger,
  readOptionalInteger,
  readString,
  readStringList,
} from './config-values';
import { DEFAULT_WINDOW_HOURS } from './constructs/reconciliation';

export { ConfigError } from './config-error';

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
  /** EventBridge Scheduler expression of the reconciliation run, which runs at least once every 24 hours. */
  readonly reconciliationSchedule: string;
}

/** Reads one context value by key; `undefined` when the key is not set. */
export type ContextReader = (key: string) => unknown;

/**
 * Hours of events that one reconciliation run checks: the default `windowHours` of the `Reconciliation`
 * construct, which the stack does not override. Runs at most 24 hours apart leave no hour unchecked.
 */
export const RECONCILIATION_WINDOW_HOURS = DEFAULT_WINDOW_HOURS;

const PROFILE_DEFAULTS: Record<DeploymentProfile, { evidenceRetentionDays: number }> = {
  production: { evidenceRetentionDays: 2190 },
  sandbox: { evidenceRetentionDays: 1 },
};

/** Builds a validated configuration from CDK context, applying the defaults of the chosen profile. */
export function readConfig(read: ContextReader): PhiGuardConfig {
  const profile = readEnum(read, 'profile', ['production', 'sandbox'], 'production');

  return {
    phiBucketNames: readBucketNames(read, 'phiBucketNames'),
    profile,
    monitorMode: readBoolean(read, 'monitorMode', false),
    protectedPrincipalArns: readProtectedPrincipalArns(read),
    roleContainmentMode: readEnum(
      read,
      'roleContainmentMode',
      ['token-issue-time', 'session'],
      'token-issue-time',
    ),
    alertEmails: readEmailAddresses(read, 'alertEmails'),
    operationsEmails: readEmailAddresses(read, 'operationsEmails'),
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
    reconciliationSchedule: readReconciliationSchedule(read),
  };
}

function readProtectedPrincipalArns(read: ContextReader): string[] {
  const arns = readStringList(read, 'protectedPrincipalArns');
  checkProtectedPrincipalArns('protectedPrincipalArns', arns);
  return arns;
}

function readReconciliationSchedule(read: ContextReader): string {
  const schedule = readString(read, 'reconciliationSchedule', 'rate(1 day)');
  checkScheduleExpression('reconciliationSchedule', schedule);

  const problem = findDailyRunProblem(schedule);
  if (problem !== undefined) {
    throw new ConfigError(
      'Context value "reconciliationSchedule" must run at least once every 24 hours, ' +
        `got ${JSON.stringify(schedule)}. ${problem}. ` +
        `Each run checks a ${RECONCILIATION_WINDOW_HOURS}-hour window of events, so runs must be at most ` +
        '24 hours apart for the windows to overlap. Use a schedule such as rate(1 day) or cron(0 3 * * ? *).',
    );
  }
  return schedule;
}
