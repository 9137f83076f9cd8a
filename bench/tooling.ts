/** Wall-clock time of project commands: `cdk synth` and, on request, the jest suite. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO_ROOT = path.join(__dirname, '..');

export interface CommandTiming {
  readonly command: string;
  readonly seconds: number;
  readonly exitCode: number | null;
  /** Last lines of the output when the command failed. */
  readonly failure?: string;
}

function timeCommand(
  command: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): CommandTiming {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...extraEnv },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
  const seconds = (performance.now() - start) / 1000;
  const text = `${command} ${args.join(' ')}`;
  if (result.status === 0) {
    return { command: text, seconds, exitCode: 0 };
  }
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  return { command: text, seconds, exitCode: result.status, failure: output || String(result.error) };
}

/** Times `npx cdk synth --quiet` into a temporary output folder, which is removed afterwards. */
export function timeSynth(): CommandTiming {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-bench-synth-'));
  try {
    return timeCommand('npx', ['cdk', 'synth', '--quiet', '--output', outDir]);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Times `npm run jest`, the whole unit and local-component test suite. */
export function timeJest(): CommandTiming {
  return timeCommand('npm', ['run', 'jest', '--silent']);
}
