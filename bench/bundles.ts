/**
 * Bundles each Lambda entry in `src/handlers/` with esbuild and the options of `PhiGuardFunction`
 * (lib/constructs/lambda-defaults.ts), then times `import` of each bundle in a fresh Node.js process.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER, UNUSED_CREDENTIAL_PROVIDERS } from '../lib/constructs/lambda-defaults';
import { median } from './measure';

const REPO_ROOT = path.join(__dirname, '..');

/**
 * Environment that the entries read at module scope, with placeholder values. Nothing is sent: clients are
 * created at import, and the first request happens only in an invocation.
 */
const LOAD_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'LOCALTESTKEY',
  AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  GRANTS_TABLE_NAME: 'phi-guard-grants',
  MONITORED_BUCKETS: 'example-phi-records',
  INCIDENTS_TABLE_NAME: 'phi-guard-incidents',
  EVIDENCE_BUCKET_NAME: 'example-evidence',
  EVIDENCE_BUCKET: 'example-evidence',
  STREAM_NAME: 'phi-guard-events',
  ATHENA_WORKGROUP: 'phi-guard',
  TRAIL_DATABASE: 'phi_guard',
  TRAIL_TABLE: 'cloudtrail',
  ARCHIVE_DATABASE: 'phi_guard',
  ARCHIVE_TABLE: 'events',
  WINDOW_HOURS: '26',
  SETTLE_HOURS: '2',
  MAX_REINJECTED_EVENTS: '10000',
  QUERY_TIMEOUT_SECONDS: '300',
};

export interface BundleResult {
  readonly entry: string;
  readonly bytes: number;
  /** Median milliseconds of `import` in a fresh process; undefined when the import failed. */
  readonly loadMs?: number;
  readonly loadError?: string;
}

/** Bundles one entry to `outDir/<name>/index.mjs` and returns the bundle's path. */
async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, path.basename(entry, '.ts'), 'index.mjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: [...UNUSED_CREDENTIAL_PROVIDERS],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  return outfile;
}

/** Imports the bundle in a new Node.js process and returns the milliseconds `import` took. */
function timeImport(file: string): number {
  const script =
    `const start = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    'process.stdout.write(String(performance.now() - start));';
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LOAD_ENVIRONMENT },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return Number(output.trim());
}

/** Bundles every handler entry and times its import `repeats` times. */
export async function measureBundles(outDir: string, repeats = 5): Promise<BundleResult[]> {
  const entries = fs
    .readdirSync(path.join(REPO_ROOT, 'src', 'handlers'))
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => path.join('src', 'handlers', name));

  const results: BundleResult[] = [];
  for (const entry of entries) {
    const file = await bundle(entry, outDir);
    const bytes = fs.statSync(file).size;
    try {
      const times = Array.from({ length: repeats }, () => timeImport(file));
      results.push({ entry, bytes, loadMs: median(times) });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      results.push({
        entry,
        bytes,
        loadError: stderr.split('\n').find((line) => line.includes('Error')) ?? stderr,
      });
    }
  }
  return results;
}
