import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listInputFiles } from '../../src/cli/replay/input-files';
import { registerReplayCommand, runReplayCommand } from '../../src/cli/replay/replay-command';
import type { DecisionCounts } from '../../src/cli/replay/replay-tally';
import {
  eventId,
  fourRecords,
  INVALID_RECORD_REASONS,
  recordsWithInvalidOnes,
  TRUNCATED_LOG_FILE_REASON,
  truncatedLogFile,
} from '../reconcile/fixtures';
import { captureIo, testProgram } from './cli-io';
import { writeTrailFolder } from './trail-folder';

const repoRoot = join(__dirname, '..', '..');
const samples = join(repoRoot, 'samples');
const sampleLogs = join(samples, 'cloudtrail');
const trailFolder = join(sampleLogs, 'AWSLogs');
const malformedFile = join(samples, 'malformed', 'truncated-record.jsonl');

/** What samples/generate.ts designed each principal to get with samples/grants.json. */
const EXPECTED_PER_PRINCIPAL: [string, string, Partial<DecisionCounts>][] = [
  ['444455556666', 'AWSAccount', { authorized: 24, violation: 2, denied: 2 }],
  [
    'arn:aws:iam::111122223333:role/AWSReservedSSO_PHIAuditor_4f2a9c81e7b3d650',
    'AssumedRole',
    { authorized: 8, violation: 3 },
  ],
  ['arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonMacie', 'AssumedRole', { service: 6 }],
  [
    'arn:aws:iam::111122223333:role/examplehealth-analytics-etl',
    'AssumedRole',
    { authorized: 40, violation: 9 },
  ],
  ['arn:aws:iam::111122223333:role/examplehealth-break-glass', 'AssumedRole', { 'break-glass': 6 }],
  ['arn:aws:iam::111122223333:role/examplehealth-clinician-portal', 'AssumedRole', { authorized: 162 }],
  ['arn:aws:iam::111122223333:role/examplehealth-records-retention', 'AssumedRole', { authorized: 4 }],
  ['arn:aws:iam::111122223333:role/examplehealth-web-deploy', 'AssumedRole', { 'out-of-scope': 12 }],
  ['arn:aws:iam::111122223333:user/contractor-billing', 'IAMUser', { authorized: 6, denied: 3 }],
  ['arn:aws:iam::111122223333:user/j.okafor', 'IAMUser', { authorized: 3, violation: 4 }],
  [
    'arn:aws:identitystore:::user/94480418-d0b1-70c4-92e6-7a3c5e21f0b9',
    'IdentityCenterUser',
    { authorized: 17, violation: 2 },
  ],
  ['root:111122223333', 'Root', { violation: 2 }],
];

const EXPECTED_TOTALS: DecisionCounts = {
  authorized: 264,
  violation: 22,
  denied: 5,
  'break-glass': 6,
  service: 6,
  'out-of-scope': 12,
};

function withZeros(counts: Partial<DecisionCounts>): DecisionCounts {
  return {
    authorized: 0,
    violation: 0,
    denied: 0,
    'break-glass': 0,
    service: 0,
    'out-of-scope': 0,
    ...counts,
  };
}

function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'phi-guard-replay-'));
}

function lineCount(path: string): number {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '').length;
}

describe('replay on the sample logs', () => {
  const outFile = join(temporaryFolder(), 'decisions.jsonl');
  const reportsFolder = temporaryFolder();
  const captured = captureIo();
  let outcome: Awaited<ReturnType<typeof runReplayCommand>>;

  beforeAll(async () => {
    const options = {
      grants: join(samples, 'grants.json'),
      out: outFile,
      batchSize: 100,
      reports: reportsFolder,
    };
    outcome = await runReplayCommand([sampleLogs], options, captured.io);
  });

  it('exits 0 with every record decided or skipped', () => {
    expect(outcome.exitCode).toBe(0);
  });

  it('counts every decision type', () => {
    expect(outcome.result?.tally.totals).toEqual(EXPECTED_TOTALS);
  });

  it('accounts for every record read', () => {
    const tally = outcome.result!.tally;
    expect(tally.recordsRead).toBe(317);
    expect(tally.recordsDecided).toBe(311);
    expect(tally.skipped).toHaveLength(6);
    expect(tally.failures).toHaveLength(0);
    expect(tally.recordsDecided + tally.skipped.length + tally.failures.length).toBe(tally.recordsRead);
  });

  it.each(EXPECTED_PER_PRINCIPAL)('counts decisions of %s', (principalKey, identityType, counts) => {
    const principal = outcome.result!.tally.principals.get(principalKey);
    expect(principal?.identityType).toBe(identityType);
    expect(principal?.counts).toEqual(withZeros(counts));
  });

  it('lists no other principal', () => {
    const keys = [...outcome.result!.tally.principals.keys()].sort();
    expect(keys).toEqual(EXPECTED_PER_PRINCIPAL.map(([key]) => key).sort());
  });

  it('lists skipped records with reasons', () => {
    const skipped = outcome.result!.tally.skipped;
    expect(skipped.map((record) => record.eventName)).toEqual(Array(6).fill('AssumeRole'));
    expect(skipped.every((record) => record.reason.length > 0 && record.detail.length > 0)).toBe(true);
    expect(skipped.every((record) => record.file.endsWith('.json.gz'))).toBe(true);
  });

  it('writes one --out line per decision', () => {
    expect(lineCount(outFile)).toBe(315);
    const first = JSON.parse(readFileSync(outFile, 'utf8').split('\n')[0]) as {
      decisionId: string;
      key: string;
    };
    expect(first.decisionId).toMatch(/#0$/);
  });

  it('keeps full keys out of the terminal', () => {
    const stdout = captured.stdout();
    expect(stdout).toContain('examplehealth-phi-records/patients/...');
    expect(stdout).not.toMatch(/MRN-\d{8}/);
    expect(readFileSync(outFile, 'utf8')).toMatch(/patients\/MRN-\d{8}\//);
  });

  it('prints totals, principals and findings', () => {
    const stdout = captured.stdout();
    expect(stdout).toMatch(/^ {2}authorized +264$/m);
    expect(stdout).toMatch(/^ {2}violation +22$/m);
    expect(stdout).toMatch(/^ {2}root:111122223333 +Root +0 +2 +0 +0 +0 +0$/m);
    expect(stdout).toContain('Violations (22):');
    expect(stdout).toContain('Break-glass accesses (6):');
    expect(stdout).toContain('Grant grant-okafor-patient-records was revoked at 2025-03-14T10:00:00Z');
    expect(stdout).toContain('Grant grant-analytics-claims-2024-review expired at 2025-03-14T12:00:00Z');
  });

  it('collects triage inputs and passes --reports through', () => {
    const inputs = outcome.result!.triageInputs;
    const triaged = new Set(inputs.map((input) => input.principal.key));
    expect(triaged).toEqual(
      new Set(
        EXPECTED_PER_PRINCIPAL.filter(([, , counts]) => counts.violation || counts['break-glass']).map(
          ([key]) => key,
        ),
      ),
    );
    expect(outcome.result!.reportsDirectory).toBe(reportsFolder);
  });

  it('opens one incident per violating principal', () => {
    const responses = outcome.result!.responses!;
    const byPrincipal = new Map(responses.map((response) => [response.principalKey, response]));

    expect(responses).toHaveLength(7);
    expect(responses.every((response) => response.isNew && response.responseStatus === 'succeeded')).toBe(
      true,
    );
    expect(byPrincipal.get('arn:aws:iam::111122223333:user/j.okafor')?.containment?.strategy).toBe(
      'user-inline-deny',
    );
    expect(
      byPrincipal.get('arn:aws:iam::111122223333:role/examplehealth-analytics-etl')?.containment?.strategy,
    ).toBe('role-token-issue-time-deny');
    expect(byPrincipal.get('444455556666')?.containment?.strategy).toBe('bucket-policy-deny');
    expect(byPrincipal.get('root:111122223333')?.containment?.status).toBe('alert-only');
    expect(
      byPrincipal.get('arn:aws:iam::111122223333:role/examplehealth-break-glass')?.containment?.status,
    ).toBe('skipped-review');
  });

  it('writes a report pair per incident', () => {
    const responses = outcome.result!.responses!;
    const paths = responses.flatMap((response) => response.reportPaths);

    expect(paths.filter((path) => path.endsWith('.json'))).toHaveLength(7);
    expect(paths.filter((path) => path.endsWith('.md'))).toHaveLength(7);
    expect(paths.every((path) => path.startsWith(join(reportsFolder, 'reports')))).toBe(true);
    expect(
      readFileSync(
        paths.find((path) => path.endsWith('.md'))!,
        'utf8',
      ),
    ).toContain('Containment');
  });

  it('prints each policy dry run', () => {
    const stdout = captured.stdout();
    expect(stdout).toContain('Incidents (local triage and response workflows, containment as a dry run):');
    expect(stdout).toContain('"aws:TokenIssueTime"');
    expect(stdout).toContain('Reports: 7 incident reports (JSON, Markdown and the Object Lock retention');
  });
});

describe('replay options and exit codes', () => {
  it.each([1, 7, 10_000])('batch size %i gives the same totals', async (batchSize) => {
    const captured = captureIo();
    const outcome = await runReplayCommand(
      [sampleLogs],
      { grants: join(samples, 'grants.csv'), batchSize },
      captured.io,
    );
    expect(outcome.result?.tally.totals).toEqual(EXPECTED_TOTALS);
  });

  it('exits 2 for a malformed record', async () => {
    const captured = captureIo();
    const outcome = await runReplayCommand(
      [malformedFile],
      { grants: join(samples, 'grants.json'), batchSize: 100 },
      captured.io,
    );
    expect(outcome.exitCode).toBe(2);
    const [failure] = outcome.result!.tally.failures;
    expect(failure.file).toBe(malformedFile);
    expect(failure.position).toBe(1);
    expect(failure.reason).toMatch(/missing the required field eventTime/);
    expect(captured.stdout()).toContain(`${malformedFile} record 1`);
  });

  it('exits 0 without failed records', async () => {
    const captured = captureIo();
    const outcome = await runReplayCommand(
      [trailFolder],
      { grants: join(samples, 'grants.json'), batchSize: 50 },
      captured.io,
    );
    expect(outcome.exitCode).toBe(0);
    expect(outcome.result?.tally.failures).toEqual([]);
    expect(outcome.result?.tally.recordsRead).toBe(259);
  });

  it('--buckets makes other buckets out-of-scope', async () => {
    const captured = captureIo();
    const options = {
      grants: join(samples, 'grants.json'),
      batchSize: 100,
      buckets: ['examplehealth-phi-imaging'],
    };
    const outcome = await runReplayCommand([trailFolder], options, captured.io);
    const totals = outcome.result!.tally.totals;
    expect(totals['out-of-scope']).toBe(
      outcome.result!.tally.decisionCount - totals.authorized - totals.service,
    );
    expect(totals.violation).toBe(0);
    expect(captured.stdout()).toContain('Monitored buckets: examplehealth-phi-imaging');
  });

  it('exits 1 for a grants file with problems', async () => {
    const folder = temporaryFolder();
    const grantsFile = join(folder, 'grants.json');
    writeFileSync(grantsFile, '[\n  {\n    "grantId": "g-1",\n    "principal": "not-an-arn"\n  }\n]\n');
    const captured = captureIo();
    const outcome = await runReplayCommand([sampleLogs], { grants: grantsFile, batchSize: 100 }, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result).toBeUndefined();
    expect(captured.stderr()).toContain(`${grantsFile}:2: `);
    expect(captured.stderr()).toContain('nothing was replayed');
  });

  it('warns about an empty grants file', async () => {
    const folder = temporaryFolder();
    const grantsFile = join(folder, 'grants.json');
    writeFileSync(grantsFile, '[]\n');
    const captured = captureIo();
    const outcome = await runReplayCommand(
      [trailFolder],
      { grants: grantsFile, batchSize: 100 },
      captured.io,
    );
    expect(captured.stderr()).toContain(`warning: grants file ${grantsFile} contains no grants`);
    expect(outcome.result?.tally.totals.authorized).toBe(0);
    expect(outcome.result?.tally.totals.violation).toBeGreaterThan(0);
    expect(captured.stdout()).toContain('Monitored buckets: all');
  });

  it('prints no warning for sample grants', async () => {
    const captured = captureIo();
    await runReplayCommand(
      [trailFolder],
      { grants: join(samples, 'grants.json'), batchSize: 100 },
      captured.io,
    );
    expect(captured.stderr()).not.toContain('warning: grants file');
  });

  it('exits 1 for a missing input path', async () => {
    const captured = captureIo();
    const missing = join(temporaryFolder(), 'absent');
    const outcome = await runReplayCommand(
      [missing],
      { grants: join(samples, 'grants.json'), batchSize: 100 },
      captured.io,
    );
    expect(outcome.exitCode).toBe(1);
    expect(captured.stderr()).toBe(`error: Input path ${missing} does not exist.\n`);
  });

  it('fails only the bad lines of JSON lines', async () => {
    const folder = temporaryFolder();
    const file = join(folder, 'mixed.jsonl');
    const valid = readFileSync(malformedFile, 'utf8').trim();
    const good = readFileSync(join(sampleLogs, 'jsonl', 'identity-center-2025-03-14.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 2);
    writeFileSync(file, [good[0], '{not json', good[1], valid, good[0].slice(0, 40)].join('\n'));
    const captured = captureIo();
    const outcome = await runReplayCommand(
      [file],
      { grants: join(samples, 'grants.json'), batchSize: 100 },
      captured.io,
    );

    const tally = outcome.result!.tally;
    expect(outcome.exitCode).toBe(2);
    expect(tally.recordsRead).toBe(5);
    expect(tally.recordsDecided).toBe(2);
    const byPosition = new Map(tally.failures.map((failure) => [failure.position, failure.reason]));
    expect([...byPosition.keys()].sort()).toEqual([2, 4, 5]);
    expect(byPosition.get(2)).toBe("Line 2 is not valid JSON: Expected property name or '}' at column 2.");
    expect(byPosition.get(4)).toMatch(/missing the required field eventTime/);
    expect(byPosition.get(5)).toMatch(/^Line 5 is not valid JSON: Unterminated string at column 41\.$/);
  });

  it('lists an unreadable file and exits 2', async () => {
    const folder = temporaryFolder();
    writeFileSync(join(folder, 'broken.json'), '{"Records": [');
    const captured = captureIo();
    const outcome = await runReplayCommand(
      [folder],
      { grants: join(samples, 'grants.json'), batchSize: 100 },
      captured.io,
    );
    expect(outcome.exitCode).toBe(2);
    expect(outcome.result?.tally.failures).toEqual([]);
    expect(outcome.result?.tally.unreadableFiles).toEqual([
      {
        file: join(folder, 'broken.json'),
        reason: 'CloudTrail content is not valid JSON: Unexpected end of JSON input at line 1, column 14.',
      },
    ]);
    expect(captured.stdout()).toMatch(/^Unreadable files: 1$/m);
    expect(captured.stdout()).toContain(
      `Unreadable files (1), whose records were not read:\n  ${join(folder, 'broken.json')}: CloudTrail content`,
    );
  });

  it('exits 1 when --out cannot be written', async () => {
    const folder = temporaryFolder();
    writeFileSync(join(folder, 'file'), '');
    const captured = captureIo();
    const out = join(folder, 'file', 'out.jsonl');
    const options = { grants: join(samples, 'grants.json'), batchSize: 100, out };
    const outcome = await runReplayCommand([trailFolder], options, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result).toBeUndefined();
    expect(captured.stderr()).toBe(
      `error: The --out file ${out} cannot be created because ${join(folder, 'file')} is a file.\n`,
    );
    expect(captured.stdout()).toBe('');
  });

  it.each([
    ['0', /Expected a whole number from 1 to 10000, got "0"/],
    ['10001', /Expected a whole number from 1 to 10000, got "10001"/],
    ['ten', /Expected a whole number from 1 to 10000, got "ten"/],
  ])('rejects --batch-size %s', async (value, message) => {
    const captured = captureIo();
    const program = testProgram(captured);
    registerReplayCommand(program, captured.io);
    const argv = [
      'node',
      'phi-guard',
      'replay',
      '--grants',
      'samples/grants.json',
      '--batch-size',
      value,
      sampleLogs,
    ];
    await expect(program.parseAsync(argv)).rejects.toMatchObject({ exitCode: 1 });
    expect(captured.stderr()).toMatch(message);
  });
});

describe('replay progress bar', () => {
  it.each([
    [true, false, true],
    [true, true, false],
    [false, false, false],
  ])('stderr TTY %s, quiet %s: bar shown %s', async (isTty, quiet, shown) => {
    const captured = captureIo({ stderrIsTty: isTty });
    await runReplayCommand(
      [trailFolder],
      { grants: join(samples, 'grants.json'), batchSize: 100, quiet },
      captured.io,
    );
    expect(captured.stderr().includes('files |')).toBe(shown);
  });
});

describe('replay as a child process', () => {
  it('prints the summary and exits 0', () => {
    const outFile = join(temporaryFolder(), 'decisions.jsonl');
    const args = [
      'tsx',
      'src/cli/main.ts',
      'replay',
      '--grants',
      'samples/grants.csv',
      '--out',
      outFile,
      'samples/cloudtrail',
    ];
    const child = spawnSync('npx', args, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/^Decisions: 315 \(from 311 records\)$/m);
    expect(child.stdout).toMatch(/^ {2}out-of-scope +12$/m);
    expect(child.stdout).toMatch(/^Failed records: 0$/m);
    expect(child.stderr).toBe('');
    expect(lineCount(outFile)).toBe(315);
  });

  it('ends quietly when stdout closes early', async () => {
    const args = ['tsx', 'src/cli/main.ts', 'replay', '--grants', 'samples/grants.csv', 'samples/cloudtrail'];
    const child = spawn('npx', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Closing the read end after the first chunk is what `head -1` does to a pipe.
    child.stdout.once('data', () => child.stdout.destroy());

    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(status).toBe(0);
    expect(stderr).not.toContain('EPIPE');
  });
});

describe('replay path checks', () => {
  const grants = join(samples, 'grants.json');

  it('rejects a --reports path that is a file', async () => {
    const reports = join(temporaryFolder(), 'reports.txt');
    writeFileSync(reports, '');
    const captured = captureIo();
    const outcome = await runReplayCommand([trailFolder], { grants, batchSize: 100, reports }, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result).toBeUndefined();
    expect(captured.stderr()).toBe(
      `error: The --reports path ${reports} is a file, not a folder. Pass a folder, which is created if it is missing.\n`,
    );
    expect(captured.stdout()).toBe('');
  });

  it('rejects a missing --grants file', async () => {
    const missing = join(temporaryFolder(), 'grants.csv');
    const captured = captureIo();
    const outcome = await runReplayCommand([trailFolder], { grants: missing, batchSize: 100 }, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(captured.stderr()).toBe(`error: The --grants file ${missing} does not exist.\n`);
    expect(captured.stdout()).toBe('');
  });

  it('accepts a --reports folder to create', async () => {
    const reports = join(temporaryFolder(), 'new', 'reports');
    const captured = captureIo();
    const outcome = await runReplayCommand([malformedFile], { grants, batchSize: 100, reports }, captured.io);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.result?.reportsDirectory).toBe(reports);
  });
});

describe('replay of empty inputs', () => {
  const grants = join(samples, 'grants.json');

  it('exits 1 for an empty folder', async () => {
    const folder = temporaryFolder();
    const captured = captureIo();
    const outcome = await runReplayCommand([folder], { grants, batchSize: 100 }, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result).toBeUndefined();
    expect(captured.stderr()).toBe(
      `error: no CloudTrail records found in ${folder}, so nothing was checked.\n`,
    );
  });

  it.each([
    ['a 0-byte file', ''],
    ['an empty log file', '{"Records": []}'],
  ])('exits 1 for %s', async (_name, text) => {
    const file = join(temporaryFolder(), 'empty.json');
    writeFileSync(file, text);
    const captured = captureIo();
    const outcome = await runReplayCommand([file], { grants, batchSize: 100 }, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.result?.tally.recordsRead).toBe(0);
    expect(captured.stdout()).toMatch(/^Replayed 0 records from 1 file\.$/m);
    expect(captured.stderr()).toBe(
      `error: no CloudTrail records found in ${file}, so nothing was checked.\n`,
    );
  });
});

describe('replay totals', () => {
  const grants = join(samples, 'grants.json');

  it('adds up records, failures and unreadable files', async () => {
    const folder = temporaryFolder();
    const logFile = join(folder, 'a-mixed.json');
    writeFileSync(logFile, JSON.stringify({ Records: recordsWithInvalidOnes(eventId(1)) }));
    writeFileSync(join(folder, 'b-truncated.json'), '{"Records": [');
    writeFileSync(join(folder, 'c-not-cloudtrail.json'), '{"Items": []}');
    const captured = captureIo();

    const outcome = await runReplayCommand([folder], { grants, batchSize: 100 }, captured.io);

    const tally = outcome.result!.tally;
    expect(outcome.exitCode).toBe(2);
    expect(tally.recordsRead).toBe(7);
    expect(tally.recordsDecided).toBe(1);
    expect(tally.skipped).toHaveLength(0);
    expect(tally.failures).toHaveLength(6);
    expect(tally.unreadableFiles.map((file) => file.file)).toEqual([
      join(folder, 'b-truncated.json'),
      join(folder, 'c-not-cloudtrail.json'),
    ]);
    const stdout = captured.stdout();
    expect(stdout).toMatch(/^Replayed 7 records from 1 file\.$/m);
    expect(stdout).toMatch(/^Decisions: 1 \(from 1 record\)$/m);
    expect(stdout).toMatch(/^Failed records: 6$/m);
    expect(stdout).toMatch(/^Unreadable files: 2$/m);
  });

  it('gives each invalid record its reason', async () => {
    const logFile = join(temporaryFolder(), 'mixed.json');
    writeFileSync(logFile, JSON.stringify({ Records: recordsWithInvalidOnes(eventId(1)) }));
    const captured = captureIo();

    const outcome = await runReplayCommand([logFile], { grants, batchSize: 100 }, captured.io);

    const reasons = new Map(
      outcome.result!.tally.failures.map((failure) => [failure.position, failure.reason]),
    );
    expect(reasons).toEqual(INVALID_RECORD_REASONS);
    expect(outcome.result!.tally.failures.map((failure) => failure.position)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(captured.stdout()).toContain(
      `  ${logFile} record 3: The CloudTrail record is number 42, not a JSON object.`,
    );
    expect(captured.stdout()).not.toContain('EventBridge');
  });
});

describe('replay of a trail bucket folder', () => {
  const grants = join(samples, 'grants.json');
  const trail = writeTrailFolder(temporaryFolder(), recordsWithInvalidOnes(eventId(1)).slice(0, 1));

  it('lists digest and Insights files apart', async () => {
    expect(await listInputFiles([trail.root])).toEqual({
      files: [trail.logFile],
      skippedDigestAndInsightFiles: [trail.digestFile, trail.insightFile],
    });
  });

  it('skips digest and Insights files', async () => {
    const captured = captureIo();
    const outcome = await runReplayCommand([trail.root], { grants, batchSize: 100 }, captured.io);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.result?.tally.recordsDecided).toBe(1);
    expect(outcome.result?.tally.unreadableFiles).toEqual([]);
    expect(captured.stdout()).toMatch(
      /^Skipped CloudTrail digest and Insights files: 2 \(they contain no API call records\)$/m,
    );
  });

  it('skips a digest file named on the command line', async () => {
    const copy = join(temporaryFolder(), 'downloaded');
    mkdirSync(copy);
    const named = join(
      copy,
      '111122223333_CloudTrail-Digest_us-east-1_phi-trail_us-east-1_20250314T020000Z.json.gz',
    );
    writeFileSync(named, readFileSync(trail.digestFile));

    expect(await listInputFiles([named, trail.logFile])).toEqual({
      files: [trail.logFile],
      skippedDigestAndInsightFiles: [named],
    });
    const captured = captureIo();
    const outcome = await runReplayCommand([named], { grants, batchSize: 100 }, captured.io);
    expect(outcome.exitCode).toBe(1);
    expect(captured.stderr()).toBe(
      `error: no CloudTrail records found in ${named}, so nothing was checked.\n`,
    );
  });
});

describe('replay of JSON lines and broken documents', () => {
  const grants = join(samples, 'grants.json');
  const lines = fourRecords().map((record) => JSON.stringify(record));
  const brokenSecondLine = [lines[0], '{"eventID": "broken', lines[1]].join('\n');
  const brokenFirstLine = ['{"eventID": ', lines[0], lines[1]].join('\n');
  const truncated = truncatedLogFile(fourRecords(), 96, 30);

  interface Expected {
    readonly exitCode: number;
    readonly read: number;
    readonly decided: number;
    readonly failures: [number, string][];
    readonly unreadable?: string;
  }

  const notJson = (line: number, reason: string) => `Line ${line} is not valid JSON: ${reason}.`;
  const cases: [string, string, string | Buffer, Expected][] = [
    [
      'a .jsonl file with a broken line',
      'events.jsonl',
      brokenSecondLine,
      { exitCode: 2, read: 3, decided: 2, failures: [[2, notJson(2, 'Unterminated string at column 20')]] },
    ],
    [
      'a gzipped .jsonl file with a broken line',
      'events.jsonl.gz',
      gzipSync(brokenSecondLine),
      { exitCode: 2, read: 3, decided: 2, failures: [[2, notJson(2, 'Unterminated string at column 20')]] },
    ],
    [
      'a .jsonl file with a broken first line',
      'events.jsonl',
      brokenFirstLine,
      {
        exitCode: 2,
        read: 3,
        decided: 2,
        failures: [[1, notJson(1, 'Unexpected end of JSON input at column 12')]],
      },
    ],
    [
      'a .json file with a broken first line',
      'events.json',
      brokenFirstLine,
      {
        exitCode: 2,
        read: 0,
        decided: 0,
        failures: [],
        unreadable:
          "CloudTrail content is not valid JSON: Expected ',' or '}' after property value at line 3, column 1.",
      },
    ],
    [
      'a truncated pretty-printed file',
      'log.json',
      truncated,
      { exitCode: 2, read: 0, decided: 0, failures: [], unreadable: TRUNCATED_LOG_FILE_REASON },
    ],
    [
      'a truncated pretty-printed gzipped file',
      'log.json.gz',
      gzipSync(truncated),
      { exitCode: 2, read: 0, decided: 0, failures: [], unreadable: TRUNCATED_LOG_FILE_REASON },
    ],
    [
      'a pretty-printed log file',
      'log.json',
      JSON.stringify({ Records: fourRecords() }, null, 2),
      { exitCode: 0, read: 4, decided: 4, failures: [] },
    ],
    [
      'a .jsonl file',
      'events.jsonl',
      `${lines.join('\n')}\n`,
      { exitCode: 0, read: 4, decided: 4, failures: [] },
    ],
  ];

  it.each(cases)('reads %s', async (_name, fileName, content, expected) => {
    const file = join(temporaryFolder(), fileName);
    writeFileSync(file, content);
    const captured = captureIo();

    const outcome = await runReplayCommand([file], { grants, batchSize: 100 }, captured.io);

    const tally = outcome.result!.tally;
    expect(outcome.exitCode).toBe(expected.exitCode);
    expect(tally.recordsRead).toBe(expected.read);
    expect(tally.recordsDecided).toBe(expected.decided);
    expect(tally.skipped).toHaveLength(0);
    expect(tally.failures.map((failure) => [failure.position, failure.reason])).toEqual(expected.failures);
    const unreadable = expected.unreadable === undefined ? [] : [{ file, reason: expected.unreadable }];
    expect(tally.unreadableFiles).toEqual(unreadable);
  });

  it('lists a truncated file once', async () => {
    const file = join(temporaryFolder(), 'log.json');
    writeFileSync(file, truncated);
    const captured = captureIo();

    await runReplayCommand([file], { grants, batchSize: 100 }, captured.io);

    const stdout = captured.stdout();
    expect(stdout).toMatch(/^Replayed 0 records from 0 files\.$/m);
    expect(stdout).toMatch(/^Failed records: 0$/m);
    expect(stdout).toMatch(/^Unreadable files: 1$/m);
    expect(stdout).toContain(
      `Unreadable files (1), whose records were not read:\n  ${file}: ${TRUNCATED_LOG_FILE_REASON}\n`,
    );
    expect(stdout.split(file)).toHaveLength(2);
  });

  it('adds up lines, records and unreadable files', async () => {
    const folder = temporaryFolder();
    writeFileSync(
      join(folder, 'a-pretty.json'),
      JSON.stringify({ Records: fourRecords().slice(2) }, null, 2),
    );
    writeFileSync(join(folder, 'b-truncated.json.gz'), gzipSync(truncated));
    writeFileSync(join(folder, 'c-lines.jsonl'), brokenFirstLine);
    const captured = captureIo();

    const outcome = await runReplayCommand([folder], { grants, batchSize: 100 }, captured.io);

    const tally = outcome.result!.tally;
    expect(outcome.exitCode).toBe(2);
    expect(tally.recordsRead).toBe(5);
    expect(tally.recordsDecided).toBe(4);
    expect(tally.failures.map((failure) => failure.file)).toEqual([join(folder, 'c-lines.jsonl')]);
    expect(tally.unreadableFiles.map((file) => file.file)).toEqual([join(folder, 'b-truncated.json.gz')]);
    expect(tally.recordsDecided + tally.skipped.length + tally.failures.length).toBe(tally.recordsRead);
    const stdout = captured.stdout();
    expect(stdout).toMatch(/^Replayed 5 records from 2 files\.$/m);
    expect(stdout).toMatch(/^Decisions: 4 \(from 4 records\)$/m);
    expect(stdout).toMatch(/^Failed records: 1$/m);
    expect(stdout).toMatch(/^Unreadable files: 1$/m);
    expect(stdout).toContain(
      `  ${join(folder, 'c-lines.jsonl')} record 1: Line 1 is not valid JSON: Unexpected end of JSON input at column 12.\n`,
    );
  });
});
