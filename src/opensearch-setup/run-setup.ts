/**
 * The steps of the `opensearch-setup` custom resource: security roles and role mappings, the decision
 * index template, the ISM retention policy and the dashboards. Every step is idempotent, so Create and
 * Update run the same steps. Delete sends nothing: decision indices, dashboards and mappings stay in place
 * until the domain itself is deleted.
 */
import { buildImportBody, buildSavedObjects, toNdjson } from './saved-objects';
import {
  buildIndexTemplate,
  buildIsmPolicy,
  buildRoleMappings,
  buildSecurityRole,
  DECISION_INDEX_PREFIX,
  ISM_POLICY_ID,
  SECURITY_ROLE_NAMES,
  SetupSettings,
} from './setup-documents';
import { OpenSearchRequestError, SignedClient } from './signed-client';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** Fixed so that tests can compare bodies. No ndjson line starts with `--`, so the boundary cannot clash. */
const IMPORT_BOUNDARY = 'phi-guard-saved-objects-boundary';

/** Runs the setup steps for one custom resource event; Delete sends no request. */
export async function runSetup(
  requestType: RequestType,
  settings: SetupSettings,
  client: SignedClient,
): Promise<void> {
  if (requestType === 'Delete') {
    return;
  }

  await putSecurityRoles(client);
  await putRoleMappings(client, settings);
  await putIndexTemplate(client);
  await putIsmPolicy(client, settings.retentionDays);
  await importSavedObjects(client);
}

async function putSecurityRoles(client: SignedClient): Promise<void> {
  for (const name of SECURITY_ROLE_NAMES) {
    await client.sendExpectingSuccess({
      method: 'PUT',
      path: `/_plugins/_security/api/roles/${name}`,
      body: JSON.stringify(buildSecurityRole(name)),
    });
  }
}

async function putRoleMappings(client: SignedClient, settings: SetupSettings): Promise<void> {
  for (const [role, backendRoles] of buildRoleMappings(settings)) {
    await client.sendExpectingSuccess({
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${role}`,
      body: JSON.stringify({ backend_roles: backendRoles }),
    });
  }
}

async function putIndexTemplate(client: SignedClient): Promise<void> {
  await client.sendExpectingSuccess({
    method: 'PUT',
    path: `/_index_template/${DECISION_INDEX_PREFIX}`,
    body: JSON.stringify(buildIndexTemplate()),
  });
}

/**
 * Creates the ISM policy, or replaces it. ISM rejects a PUT over an existing policy unless it names the
 * policy's current sequence number and primary term, so these are read first.
 */
async function putIsmPolicy(client: SignedClient, retentionDays: number): Promise<void> {
  const path = `/_plugins/_ism/policies/${ISM_POLICY_ID}`;
  const existing = await client.send({ method: 'GET', path });
  if (existing.statusCode !== 200 && existing.statusCode !== 404) {
    throw new OpenSearchRequestError({ method: 'GET', path }, existing.statusCode, existing.body);
  }

  const query = existing.statusCode === 200 ? concurrencyQuery(existing.body) : undefined;
  await client.sendExpectingSuccess({
    method: 'PUT',
    path,
    query,
    body: JSON.stringify(buildIsmPolicy(retentionDays)),
  });
}

function concurrencyQuery(policyResponse: string): Record<string, string> {
  const parsed = JSON.parse(policyResponse) as { _seq_no?: number; _primary_term?: number };
  if (parsed._seq_no === undefined || parsed._primary_term === undefined) {
    throw new Error(`ISM policy ${ISM_POLICY_ID} was returned without _seq_no and _primary_term.`);
  }
  return { if_seq_no: String(parsed._seq_no), if_primary_term: String(parsed._primary_term) };
}

/**
 * Imports the dashboards into the global tenant, which every analyst can read. The import API returns
 * 200 even when single objects fail, so the `success` flag of the response is checked too.
 */
async function importSavedObjects(client: SignedClient): Promise<void> {
  const { body, contentType } = buildImportBody(toNdjson(buildSavedObjects()), IMPORT_BOUNDARY);
  const request = {
    method: 'POST' as const,
    path: '/_dashboards/api/saved_objects/_import',
    query: { overwrite: 'true' },
    headers: { 'content-type': contentType, 'osd-xsrf': 'true', securitytenant: 'global' },
    body,
  };

  const response = await client.sendExpectingSuccess(request);
  const result = JSON.parse(response.body) as { success?: boolean };
  if (result.success !== true) {
    throw new OpenSearchRequestError(request, response.statusCode, response.body);
  }
}
