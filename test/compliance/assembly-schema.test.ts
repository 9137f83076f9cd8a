import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';

const INTEG_RUNNER_ROOT = path.dirname(require.resolve('@aws-cdk/integ-runner/package.json'));

/**
 * Files of integ-runner that bundle a copy of the cloud assembly schema: its snapshot worker, and the
 * CDK CLI that it synthesizes and deploys with.
 */
const INTEG_RUNNER_BUNDLES = [
  path.join(INTEG_RUNNER_ROOT, 'lib', 'workers', 'extract', 'index.js'),
  path.join(INTEG_RUNNER_ROOT, 'node_modules', 'aws-cdk', 'lib', 'index.js'),
];

/** The bundled `schema/version.json` module of `@aws-cdk/cloud-assembly-schema`, with its revision. */
const BUNDLED_SCHEMA_VERSION =
  /cloud-assembly-schema\/schema\/version\.json"\(exports\d*, module\d*\) \{[^}]*revision: (\d+)/;

/** Returns the major schema version of the manifest that the installed aws-cdk-lib writes. */
function writtenSchemaMajor(): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-schema-'));
  try {
    const app = new App({ outdir });
    new Stack(app, 'SchemaProbe');
    const manifest = JSON.parse(fs.readFileSync(path.join(app.synth().directory, 'manifest.json'), 'utf8'));
    return Number(String(manifest.version).split('.')[0]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function bundledSchemaRevision(file: string): number | undefined {
  const match = BUNDLED_SCHEMA_VERSION.exec(fs.readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

describe('cloud assembly schema', () => {
  test.each(INTEG_RUNNER_BUNDLES.map((file) => [path.relative(INTEG_RUNNER_ROOT, file), file]))(
    'integ-runner %s reads aws-cdk-lib output',
    (_name, file) => {
      const readable = bundledSchemaRevision(file);

      expect(readable).toBeDefined();
      expect(writtenSchemaMajor()).toBeLessThanOrEqual(readable ?? 0);
    },
  );

  test('aws-cdk-lib writes at most 53', () => {
    expect(writtenSchemaMajor()).toBeLessThanOrEqual(53);
  });
});
