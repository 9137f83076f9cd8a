import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCloudTrailText } from '../../src/domain/cloudtrail-input';
import { listInputFiles } from '../../src/cli/replay/input-files';
import { runReplayCommand } from '../../src/cli/replay/replay-command';
import { captureIo } from './cli-io';

const repoRoot = join(__dirname, '..', '..');
const sharedSamples = join(repoRoot, '..', 'shared', 'cloudtrail-samples');
const describeIfPresent = existsSync(sharedSamples) ? describe : describe.skip;

/** One grant of our own. Only the bucket it names is monitored, so records of other buckets are out-of-scope. */
const GRANTS = [
  {
    grantId: 'shared-samples-admin-role',
    principal: 'arn:aws:iam::567856785678:role/AdminRole',
    bucket: 'emergency-data-recovery',
    prefix: '*',
    actions: ['read', 'list'],
    notBefore: '2020-01-01T00:00:00Z',
    expiresAt: '2030-01-01T00:00:00Z',
    purpose: 'operations',
    breakGlass: false,
  },
];

describeIfPresent('replay of the shared CloudTrail samples', () => {
  it('gives every record an outcome', async () => {
    const grantsFile = join(mkdtempSync(join(tmpdir(), 'phi-guard-shared-')), 'grants.json');
    writeFileSync(grantsFile, JSON.stringify(GRANTS));
    const captured = captureIo();

    const outcome = await runReplayCommand(
      [sharedSamples],
      { grants: grantsFile, batchSize: 10, buckets: undefined },
      captured.io,
    );

    expect([0, 2]).toContain(outcome.exitCode);
    const tally = outcome.result!.tally;
    expect(tally.recordsDecided + tally.skipped.length + tally.failures.length).toBe(tally.recordsRead);
    expect(tally.decisionCount).toBeGreaterThanOrEqual(tally.recordsDecided);
    expect(tally.failures.every((failure) => failure.reason.length > 0)).toBe(true);
    expect(tally.skipped.every((record) => record.reason.length > 0)).toBe(true);

    const { files } = await listInputFiles([sharedSamples]);
    const readable = files.filter(
      (file) => !tally.unreadableFiles.some((unreadable) => unreadable.file === file),
    );
    const expectedRecords = readable.reduce(
      (sum, file) => sum + parseCloudTrailText(readFileSync(file)).length,
      0,
    );
    expect(tally.recordsRead).toBe(expectedRecords);
    expect(outcome.result!.filesRead).toBe(files.length);
  });
});
