/**
 * Builds the OpenSearch Dashboards saved objects (index pattern, visualizations, dashboard) from the
 * readable files under `opensearch/dashboards/`, and the multipart body that the import API takes.
 *
 * The files keep `visState`, `uiStateJSON`, `optionsJSON` and `searchSourceJSON` as JSON objects so that
 * they can be read and reviewed. The import format stores these attributes as JSON strings, so they are
 * serialized here. The dashboard file lists panels by visualization id; they become `panelsJSON` and
 * references here.
 */
import dashboard from '../../opensearch/dashboards/dashboard.json';
import indexPattern from '../../opensearch/dashboards/index-pattern.json';
import accessOverview from '../../opensearch/dashboards/visualizations/access-overview.json';
import breakGlassAccesses from '../../opensearch/dashboards/visualizations/break-glass-accesses.json';
import deniedAttempts from '../../opensearch/dashboards/visualizations/denied-attempts.json';
import incidents from '../../opensearch/dashboards/visualizations/incidents.json';
import topKeyPrefixes from '../../opensearch/dashboards/visualizations/top-key-prefixes.json';
import topPrincipals from '../../opensearch/dashboards/visualizations/top-principals-by-violations.json';

/** One saved object in the import format of OpenSearch Dashboards. */
export interface SavedObject {
  readonly id: string;
  readonly type: 'index-pattern' | 'visualization' | 'dashboard';
  readonly attributes: Record<string, unknown>;
  readonly references: ReadonlyArray<{ readonly name: string; readonly type: string; readonly id: string }>;
}

/** The visualization files in dashboard order. */
export const VISUALIZATION_FILES = [
  accessOverview,
  topPrincipals,
  topKeyPrefixes,
  deniedAttempts,
  breakGlassAccesses,
  incidents,
];

const SEARCH_SOURCE_INDEX_REFERENCE = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** Returns every saved object to import: the index pattern first, then the visualizations, then the dashboard. */
export function buildSavedObjects(): SavedObject[] {
  return [
    { id: indexPattern.id, type: 'index-pattern', attributes: indexPattern.attributes, references: [] },
    ...VISUALIZATION_FILES.map(buildVisualization),
    buildDashboard(),
  ];
}

function buildVisualization(file: (typeof VISUALIZATION_FILES)[number]): SavedObject {
  const { visState, uiStateJSON, kibanaSavedObjectMeta, ...rest } = file.attributes;
  const searchSource = {
    ...kibanaSavedObjectMeta.searchSourceJSON,
    indexRefName: SEARCH_SOURCE_INDEX_REFERENCE,
  };

  return {
    id: file.id,
    type: 'visualization',
    attributes: {
      ...rest,
      version: 1,
      visState: JSON.stringify(visState),
      uiStateJSON: JSON.stringify(uiStateJSON),
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [{ name: SEARCH_SOURCE_INDEX_REFERENCE, type: 'index-pattern', id: indexPattern.id }],
  };
}

function buildDashboard(): SavedObject {
  const { panels, optionsJSON, kibanaSavedObjectMeta, ...rest } = dashboard.attributes;
  const panelsJson = panels.map((panel, index) => ({
    panelIndex: String(index + 1),
    gridData: { ...panel.gridData, i: String(index + 1) },
    embeddableConfig: {},
    panelRefName: `panel_${index}`,
  }));

  return {
    id: dashboard.id,
    type: 'dashboard',
    attributes: {
      ...rest,
      version: 1,
      panelsJSON: JSON.stringify(panelsJson),
      optionsJSON: JSON.stringify(optionsJSON),
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(kibanaSavedObjectMeta.searchSourceJSON) },
    },
    references: panels.map((panel, index) => ({
      name: `panel_${index}`,
      type: 'visualization',
      id: panel.visualization,
    })),
  };
}

/** Serializes saved objects as newline-delimited JSON, the file format of the import API. */
export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((object) => JSON.stringify(object)).join('\n') + '\n';
}

/**
 * Wraps an ndjson file in a `multipart/form-data` body with one `file` field, which is how
 * `_dashboards/api/saved_objects/_import` takes its input. The body is built by hand, not with
 * `FormData`, because SigV4 must sign the exact bytes that are sent.
 */
export function buildImportBody(ndjson: string, boundary: string): { body: string; contentType: string } {
  const body = [
    `--${boundary}`,
    'Content-Disposition: form-data; name="file"; filename="phi-guard.ndjson"',
    'Content-Type: application/ndjson',
    '',
    ndjson,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
