import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..', '..');
const FIXTURE_APP = 'npx tsx test/compliance/fixtures/queue-app.ts';

/** Runs `cdk synth` on the fixture app, as a user runs it on bin/tap.ts, and returns its exit code and output. */
function synthFixture(acknowledge: boolean) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-gate-'));
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--app', FIXTURE_APP, '--output', outdir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      ACKNOWLEDGE_QUEUE_FINDING: String(acknowledge),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    timeout: 120_000,
  });
  const report = path.join(outdir, 'policy-validation-report.json');
  const reportText = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
  fs.rmSync(outdir, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, reportText };
}

describe('cdk synth compliance gate', () => {
  test('fails on unacknowledged finding', () => {
    const { status, output, reportText } = synthFixture(false);

    expect(status).toBe(1);
    expect(output).toContain('AwsSolutions-SQS3');
    expect(output).toContain('ComplianceGateFixture/Queue/Resource');
    expect(
      JSON.parse(reportText).pluginReports.map(
        (report: { summary: { status: string } }) => report.summary.status,
      ),
    ).toContain('failure');
  });

  test('passes acknowledged finding', () => {
    const { status, output } = synthFixture(true);

    expect(output).not.toContain('Validation failed');
    expect(status).toBe(0);
  });
});
