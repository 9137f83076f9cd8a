/**
 * Checks the OpenSearch files against each other: the dashboards reference only fields that the index
 * template maps, and decision documents that the validator sends fit the template's mapping.
 */
import { decideAccess } from '../../src/domain/classify';
import type { Decision, Grant, ObjectAccess, Principal } from '../../src/domain/types';
import { buildImportBody, buildSavedObjects, toNdjson } from '../../src/opensearch-setup/saved-objects';
import { buildIndexTemplate, buildIsmPolicy } from '../../src/opensearch-setup/setup-documents';
import { DECISION_FIELDS } from './decision-fields';

interface FieldMapping {
  readonly type: string;
  readonly enabled?: boolean;
  readonly fields?: Record<string, FieldMapping>;
}

const MAPPED = buildIndexTemplate().template.mappings.properties as Record<string, FieldMapping>;

/** Returns the field names that a query or aggregation can use, multi-fields such as `reason.keyword` included. */
function mappedFieldNames(): Set<string> {
  const names = new Set<string>();
  for (const [name, mapping] of Object.entries(MAPPED)) {
    names.add(name);
    for (const subfield of Object.keys(mapping.fields ?? {})) {
      names.add(`${name}.${subfield}`);
    }
  }
  return names;
}

/** Fields named in a saved object: time field, aggregation fields and fields in KQL queries. */
function referencedFields(attributes: Record<string, unknown>): string[] {
  const fields: string[] = [];
  if (typeof attributes.timeFieldName === 'string') {
    fields.push(attributes.timeFieldName);
  }

  if (typeof attributes.visState === 'string') {
    const visState = JSON.parse(attributes.visState) as { aggs: Array<{ params: { field?: string } }> };
    fields.push(...visState.aggs.flatMap((agg) => (agg.params.field ? [agg.params.field] : [])));
  }

  const meta = attributes.kibanaSavedObjectMeta as { searchSourceJSON: string } | undefined;
  if (meta) {
    const query = (JSON.parse(meta.searchSourceJSON) as { query: { query: string } }).query.query;
    fields.push(...[...query.matchAll(/([A-Za-z_][\w.]*)\s*:/g)].map((match) => match[1]));
  }
  return fields;
}

describe('dashboards saved objects', () => {
  const objects = buildSavedObjects();

  test('contain pattern, visualizations, dashboard', () => {
    expect(objects.map((object) => object.type)).toEqual([
      'index-pattern',
      ...Array(6).fill('visualization'),
      'dashboard',
    ]);
    expect(objects[0].attributes).toEqual({ title: 'phi-decisions-*', timeFieldName: 'eventTime' });
  });

  test('reference only mapped fields', () => {
    const mapped = mappedFieldNames();
    for (const object of objects) {
      const fields = referencedFields(object.attributes);
      expect({ id: object.id, unmapped: fields.filter((field) => !mapped.has(field)) }).toEqual({
        id: object.id,
        unmapped: [],
      });
    }
  });

  test('every visualization uses fields', () => {
    for (const object of objects.filter((candidate) => candidate.type === 'visualization')) {
      expect(referencedFields(object.attributes).length).toBeGreaterThan(1);
    }
  });

  test('references resolve to imported objects', () => {
    const ids = new Set(objects.map((object) => `${object.type}/${object.id}`));
    for (const object of objects) {
      for (const reference of object.references) {
        expect(ids).toContain(`${reference.type}/${reference.id}`);
      }
    }
  });

  test('dashboard panels match references', () => {
    const dashboard = objects.find((object) => object.type === 'dashboard');
    const panels = JSON.parse(String(dashboard?.attributes.panelsJSON)) as Array<{ panelRefName: string }>;
    expect(panels.map((panel) => panel.panelRefName)).toEqual(
      dashboard?.references.map((reference) => reference.name),
    );
  });

  test('ndjson lines parse back', () => {
    const ndjson = toNdjson(objects);
    const parsed = ndjson
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(parsed).toEqual(objects);
    expect(ndjson.endsWith('\n')).toBe(true);
  });

  test('import body has one file part', () => {
    const { body, contentType } = buildImportBody('{"a":1}\n', 'boundary-1');
    expect(contentType).toBe('multipart/form-data; boundary=boundary-1');
    expect(body).toBe(
      '--boundary-1\r\nContent-Disposition: form-data; name="file"; filename="phi-guard.ndjson"\r\n' +
        'Content-Type: application/ndjson\r\n\r\n{"a":1}\n\r\n--boundary-1--\r\n',
    );
  });
});

describe('ISM policy', () => {
  test.each([
    [1, '1d'],
    [365, '365d'],
    [2190, '2190d'],
  ])('retention %i days becomes %s', (days, age) => {
    const policy = buildIsmPolicy(days).policy;
    expect(policy.states[0].transitions[0]).toEqual({
      state_name: 'delete',
      conditions: { min_index_age: age },
    });
    expect(policy.states[1].actions).toEqual([{ delete: {} }]);
    expect(policy.ism_template).toEqual([{ index_patterns: ['phi-decisions-*'], priority: 100 }]);
  });

  test.each([0, -3, 1.5])('rejects retention %p', (days) => {
    expect(() => buildIsmPolicy(days)).toThrow(
      `retentionDays must be a whole number of at least 1, got ${days}.`,
    );
  });
});

const PRINCIPAL: Principal = {
  key: 'arn:aws:iam::111122223333:role/clinical-reader',
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/clinical-reader/dr.lee@example.org',
  accountId: '111122223333',
  sessionName: 'dr.lee@example.org',
  roleArn: 'arn:aws:iam::111122223333:role/clinical-reader',
  serviceLinked: false,
  identityCenter: false,
  crossAccount: false,
};

function access(overrides: Partial<ObjectAccess>): ObjectAccess {
  return {
    eventId: '5d3c1a0e-0000-4000-8000-000000000001',
    index: 0,
    eventTime: '2025-02-03T10:15:30Z',
    eventName: 'GetObject',
    principal: PRINCIPAL,
    action: 'read',
    bucket: 'example-phi-records',
    key: 'patients/10042/visit-2025-01.pdf',
    sourceIp: '192.0.2.10',
    awsRegion: 'us-east-1',
    recipientAccountId: '111122223333',
    requestId: 'EXAMPLE123REQUEST',
    ...overrides,
  };
}

function grant(overrides: Partial<Grant>): Grant {
  return {
    grantId: 'grant-0001',
    principal: PRINCIPAL.key,
    principalKey: PRINCIPAL.key,
    bucket: 'example-phi-records',
    prefix: 'patients/',
    actions: ['read'],
    notBefore: '2025-01-01T00:00:00Z',
    expiresAt: '2026-01-01T00:00:00Z',
    purpose: 'treatment',
    breakGlass: false,
    ...overrides,
  };
}

const CONTEXT = { decidedAt: '2025-02-03T10:15:31.250Z', monitoredBuckets: new Set(['example-phi-records']) };

const DECISIONS: ReadonlyArray<[string, Decision]> = [
  ['authorized', decideAccess(access({}), [grant({})], CONTEXT)],
  ['violation', decideAccess(access({ key: 'billing/2025/claims.csv' }), [grant({})], CONTEXT)],
  ['denied', decideAccess(access({ errorCode: 'AccessDenied', sourceIp: 'AWS Internal' }), [], CONTEXT)],
  ['break-glass', decideAccess(access({}), [grant({ grantId: 'grant-bg-01', breakGlass: true })], CONTEXT)],
  ['out-of-scope', decideAccess(access({ bucket: 'example-public-assets' }), [], CONTEXT)],
  [
    'violation',
    {
      ...decideAccess(access({ vpcEndpointId: 'vpce-0a1b2c3d' }), [], CONTEXT),
      incidentId: 'inc-20250203T1015-abc',
    },
  ],
];

/** Returns why `value` does not fit `mapping`, or undefined when it fits. */
function mismatch(field: string, value: unknown, mapping: FieldMapping | undefined): string | undefined {
  if (mapping === undefined) return `${field} is not mapped`;
  if (mapping.type === 'keyword' || mapping.type === 'text') {
    return typeof value === 'string' ? undefined : `${field} must be a string`;
  }
  if (mapping.type === 'date') {
    const valid =
      typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
    return valid ? undefined : `${field} must be an ISO 8601 date`;
  }
  if (mapping.type === 'object') {
    return typeof value === 'object' && value !== null ? undefined : `${field} must be an object`;
  }
  return `${field} has unexpected mapping type ${mapping.type}`;
}

describe('decision documents', () => {
  test.each(DECISIONS)('%s decision fits mapping', (expectedType, decision) => {
    expect(decision.decision).toBe(expectedType);

    const document = JSON.parse(JSON.stringify(decision)) as Record<string, unknown>;
    const problems = Object.entries(document)
      .map(([field, value]) => mismatch(field, value, MAPPED[field]))
      .filter((problem) => problem !== undefined);
    expect(problems).toEqual([]);
  });

  test('mapping covers every Decision field', () => {
    expect(DECISION_FIELDS.filter((field) => MAPPED[field] === undefined)).toEqual([]);
  });

  test('typed fields per kind', () => {
    expect(MAPPED.eventTime.type).toBe('date');
    expect(MAPPED.decidedAt.type).toBe('date');
    for (const field of [
      'decisionId',
      'eventId',
      'principal',
      'principalKey',
      'bucket',
      'decision',
      'incidentId',
    ]) {
      expect({ field, type: MAPPED[field].type }).toEqual({ field, type: 'keyword' });
    }
    expect(MAPPED.reason).toEqual({
      type: 'text',
      fields: { keyword: { type: 'keyword', ignore_above: 512 } },
    });
    expect(MAPPED.requestParameters).toEqual({ type: 'object', enabled: false });
  });
});
