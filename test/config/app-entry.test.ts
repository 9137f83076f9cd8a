/**
 * Runs the real app entry, `bin/tap.ts`, as `cdk synth` runs it, and checks what a user sees on a bad
 * context value or key.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..', '..');

/** A line of a Node stack trace, such as `    at readConfig (/work/lib/config.ts:56:19)`. */
const STACK_TRACE_LINE = /^\s+at .+[:(]/m;

/** Runs `bin/tap.ts` with `context` in CDK_CONTEXT_JSON, as the CDK CLI passes it. */
function runApp(context: Record<string, unknown>) {
  const result = spawnSync('npx', ['tsx', 'bin/tap.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context) },
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

/** Runs `cdk synth --quiet` with cdk.json and the `-c` arguments, and returns its exit code and output. */
function cdkSynth(contextArguments: string[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-config-'));
  const context = contextArguments.flatMap((argument) => ['-c', argument]);
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', ...context, '--output', outdir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    timeout: 180_000,
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('bin/tap.ts config errors', () => {
  test.each([
    ['reconciliationSchedule', 'every-day', 'Context value "reconciliationSchedule"'],
    ['protectedPrincipalArns', 'bob', 'Context value "protectedPrincipalArns"'],
    ['phiBucketNames', '[bad', 'Context value "phiBucketNames"'],
    ['profile', 'staging', 'Context value "profile" must be one of production, sandbox'],
    ['monitormode', 'true', 'Context key "monitormode" is not a phi-guard setting'],
    ['dryRun', 'true', 'Context key "dryRun" is not a phi-guard or CDK setting'],
    ['alertEmails', 'not-an-email', 'Context value "alertEmails" has an entry that is not an e-mail address'],
    [
      'operationsEmails',
      'ops',
      'Context value "operationsEmails" has an entry that is not an e-mail address',
    ],
    ['alertEmails', 'a@example.org,a@example.org', 'Context value "alertEmails" lists "a@example.org" more'],
    ['phiBucketNames', 'My_Bucket', 'Context value "phiBucketNames" has an invalid S3 bucket name'],
    ['phiBucketNames', 'phi-a,phi-a', 'Context value "phiBucketNames" lists "phi-a" more than once'],
    ['grantCacheTtlSeconds', '', 'Context value "grantCacheTtlSeconds" is empty'],
    ['reconciliationSchedule', 'rate(7 days)', 'Context value "reconciliationSchedule" must run at least'],
    ['ignoreContextKeys', 'monitorMode', 'Context value "ignoreContextKeys" lists the phi-guard key'],
  ])('%s=%s prints one error line', (key, value, expected) => {
    const { status, stderr } = runApp({ profile: 'sandbox', [key]: value });

    expect(status).toBe(1);
    expect(stderr.startsWith(`error: ${expected}`)).toBe(true);
    expect(stderr).not.toMatch(STACK_TRACE_LINE);
    expect(stderr).not.toContain('ConfigError');
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('cdk synth context keys', () => {
  test('misspelled key fails synth', () => {
    const { status, output } = cdkSynth(['profile=sandbox', 'monitormode=true']);

    expect(status).not.toBe(0);
    expect(output).toContain('error: Context key "monitormode" is not a phi-guard setting.');
    expect(output).toContain('Did you mean "monitorMode"?');
    expect(output).not.toMatch(STACK_TRACE_LINE);
  });

  test('unrelated key fails synth', () => {
    const { status, output } = cdkSynth(['profile=sandbox', 'team=payments']);

    expect(status).not.toBe(0);
    expect(output).toContain('error: Context key "team" is not a phi-guard or CDK setting.');
    expect(output).toContain('(-c ignoreContextKeys=team)');
    expect(output.match(/is not a phi-guard/g)).toHaveLength(1);
    expect(output).not.toMatch(STACK_TRACE_LINE);
  });

  test('ignored key and cdk.json keys pass', () => {
    const { status, output } = cdkSynth(['profile=sandbox', 'team=payments', 'ignoreContextKeys=team']);

    expect(output).not.toContain('is not a phi-guard');
    expect(output).not.toContain('error:');
    expect(status).toBe(0);
  });
});

describe('cdk synth warnings', () => {
  test('account-wide protected entry warns', () => {
    const { status, output } = cdkSynth(['profile=sandbox', 'protectedPrincipalArns=arn:aws:iam::*:*']);

    expect(output).toContain(
      'Context value "protectedPrincipalArns" has the entry "arn:aws:iam::*:*", which protects every IAM ' +
        'user and role in every account, so containment will never act on them.',
    );
    expect(output).toContain('phi-guard:broadProtectedPrincipal');
    expect(output).not.toContain('error:');
    expect(status).toBe(0);
  });
});
