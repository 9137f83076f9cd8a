import { readFile, readdir } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerIncidentsCommand } from '../../src/cli/incidents-command';
import { errorMessage, formatCount } from '../../src/cli/io';
import { captureIo, testProgram } from './cli-io';

describe('formatCount', () => {
  it.each([
    [0, 'grant', undefined, '0 grants'],
    [1, 'grant', undefined, '1 grant'],
    [2, 'problem', undefined, '2 problems'],
    [1, 'more policy', 'more policies', '1 more policy'],
    [4, 'more policy', 'more policies', '4 more policies'],
  ])('%i %s', (count, singular, plural, expected) => {
    expect(formatCount(count, singular, plural)).toBe(expected);
  });
});

describe('errorMessage', () => {
  const missing = join(mkdtempSync(join(tmpdir(), 'phi-guard-io-')), 'absent');

  it('names a missing file', async () => {
    const error = await readFile(missing).catch((caught: unknown) => caught);
    expect(errorMessage(error)).toBe(`File ${missing} does not exist.`);
  });

  it('names a missing folder', async () => {
    const error = await readdir(missing).catch((caught: unknown) => caught);
    expect(errorMessage(error)).toBe(`Folder ${missing} does not exist.`);
  });

  it('adds a hint to a missing Region', () => {
    expect(errorMessage(new Error('Region is missing'))).toBe(
      'Region is missing. Pass --region, or set AWS_REGION or a region in the shared AWS config file.',
    );
  });

  it.each([
    [new Error('Table t was not found.'), 'Table t was not found.'],
    ['a thrown string', 'a thrown string'],
  ])('keeps other messages: %p', (error, message) => {
    expect(errorMessage(error)).toBe(message);
  });
});

describe('command without a Region', () => {
  const saved = { ...process.env };

  beforeAll(() => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    const missingConfig = join(mkdtempSync(join(tmpdir(), 'phi-guard-io-')), 'missing');
    process.env.AWS_CONFIG_FILE = missingConfig;
    process.env.AWS_SHARED_CREDENTIALS_FILE = missingConfig;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLELOCALONLY';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-only-secret';
  });

  afterAll(() => {
    process.env = saved;
  });

  it('tells how to set the Region', async () => {
    const captured = captureIo();
    const program = testProgram(captured);
    registerIncidentsCommand(program, captured.io);
    // No server listens on port 9 of the loopback address, and the Region is checked before any request.
    const argv = ['incidents', 'show', 'inc-1', '--table', 'incidents', '--endpoint', 'http://127.0.0.1:9'];
    await program.parseAsync(['node', 'phi-guard', ...argv]);

    expect(captured.exitCode()).toBe(1);
    expect(captured.stderr()).toBe(
      'error: Region is missing. Pass --region, or set AWS_REGION or a region in the shared AWS config file.\n',
    );
  });
});
