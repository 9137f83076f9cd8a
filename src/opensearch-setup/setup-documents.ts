/**
 * The documents that the setup installs in OpenSearch, built from the files under `opensearch/`.
 * Pure data: no AWS imports.
 */
import indexTemplate from '../../opensearch/index-template.json';
import ismPolicy from '../../opensearch/ism-policy.json';
import securityRoles from '../../opensearch/security-roles.json';

/** Name of the composable index template, and the prefix of the daily decision indices. */
export const DECISION_INDEX_PREFIX = 'phi-decisions';
export const ISM_POLICY_ID = 'phi-decisions-retention';

/** Built-in OpenSearch Dashboards role that gives read-only access to dashboards and visualizations. */
export const DASHBOARDS_READ_ONLY_ROLE = 'opensearch_dashboards_read_only';

export type SecurityRoleName = keyof typeof securityRoles;

/** Settings that the custom resource passes to the setup. */
export interface SetupSettings {
  /** IAM role that Firehose delivers decisions with; mapped to `phi_guard_writer`. */
  readonly writerRoleArn: string;
  /** IAM role that analysts assume; mapped to `phi_guard_analyst` and read-only dashboards access. */
  readonly analystRoleArn: string;
  /** Days after which ISM deletes a daily decision index. */
  readonly retentionDays: number;
}

/** Returns the index template that maps every field of a decision document. */
export function buildIndexTemplate(): typeof indexTemplate {
  return structuredClone(indexTemplate);
}

/** Returns the ISM policy that deletes decision indices older than `retentionDays` days. */
export function buildIsmPolicy(retentionDays: number): typeof ismPolicy {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`retentionDays must be a whole number of at least 1, got ${retentionDays}.`);
  }

  const policy = structuredClone(ismPolicy);
  policy.policy.states[0].transitions[0].conditions.min_index_age = `${retentionDays}d`;
  return policy;
}

/** Returns the definition of one phi-guard security role, without its description. */
export function buildSecurityRole(name: SecurityRoleName): Record<string, unknown> {
  const { cluster_permissions, index_permissions } = securityRoles[name];
  return { cluster_permissions, index_permissions };
}

/** Returns the role mappings to install, as role name and the IAM role ARNs mapped to it. */
export function buildRoleMappings(settings: SetupSettings): ReadonlyArray<[string, readonly string[]]> {
  return [
    ['phi_guard_writer', [settings.writerRoleArn]],
    ['phi_guard_analyst', [settings.analystRoleArn]],
    [DASHBOARDS_READ_ONLY_ROLE, [settings.analystRoleArn]],
  ];
}

export const SECURITY_ROLE_NAMES = Object.keys(securityRoles) as SecurityRoleName[];
