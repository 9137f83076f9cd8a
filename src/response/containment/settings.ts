/**
 * Reads containment settings from environment variables, rejecting any value that is missing or invalid.
 */
import type { RoleContainmentMode } from '../../../lib/config';
import type { ContainmentSettings } from './strategy';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads `PHI_BUCKET_NAMES` and `PROTECTED_PRINCIPAL_ARNS` (comma-separated), `MONITOR_MODE` and
 * `CONTAINMENT_DRY_RUN` (`true` or `false`, and dry run defaults to false) and `ROLE_CONTAINMENT_MODE`
 * (`token-issue-time` or `session`).
 */
export function readContainmentSettings(env: Environment): ContainmentSettings {
  const phiBucketNames = readList(env, 'PHI_BUCKET_NAMES');
  if (phiBucketNames.length === 0) {
    throw new Error(
      'Environment variable PHI_BUCKET_NAMES is missing or empty; set it to the PHI bucket names.',
    );
  }

  return {
    phiBucketNames,
    protectedPrincipalArns: readList(env, 'PROTECTED_PRINCIPAL_ARNS'),
    monitorMode: readBoolean(env, 'MONITOR_MODE'),
    roleContainmentMode: readRoleContainmentMode(env),
    dryRun: env.CONTAINMENT_DRY_RUN === undefined ? false : readBoolean(env, 'CONTAINMENT_DRY_RUN'),
  };
}

/** Reads a required, non-empty environment variable. */
export function readRequired(env: Environment, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(`Environment variable ${name} is missing or empty.`);
  }
  return value;
}

function readList(env: Environment, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function readBoolean(env: Environment, name: string): boolean {
  const value = env[name];
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  throw new Error(`Environment variable ${name} must be true or false, got ${JSON.stringify(value)}.`);
}

function readRoleContainmentMode(env: Environment): RoleContainmentMode {
  const value = env.ROLE_CONTAINMENT_MODE;
  if (value === 'token-issue-time' || value === 'session') {
    return value;
  }
  throw new Error(
    `Environment variable ROLE_CONTAINMENT_MODE must be token-issue-time or session, got ${JSON.stringify(value)}.`,
  );
}
