import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerGrantsCommand } from '../../src/cli/grants/grants-command';
import { findGrant } from '../../src/grants/grant-repository';
import { createGrantsTable } from '../../src/grants/table-definition';
import { LOCAL_CREDENTIALS, startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { captureIo, testProgram, type CapturedIo } from './cli-io';

const samples = join(__dirname, '..', '..', 'samples');
const REVOKED_AT = new Date('2025-03-20T09:00:00.000Z');

async function runGrants(args: string[]): Promise<CapturedIo> {
  const captured = captureIo();
  const program = testProgram(captured);
  registerGrantsCommand(program, captured.io, { now: () => REVOKED_AT });
  await program.parseAsync(['node', 'phi-guard', 'grants', ...args]);
  return captured;
}

function writeTemporary(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'phi-guard-grants-')), name);
  writeFileSync(path, text);
  return path;
}

const GOOD = {
  principal: 'arn:aws:iam::111122223333:role/examplehealth-clinician-portal',
  bucket: 'examplehealth-phi-records',
  prefix: 'patients/',
  actions: ['read'],
  notBefore: '2025-01-01T00:00:00Z',
  expiresAt: '2026-01-01T00:00:00Z',
  purpose: 'treatment',
  breakGlass: false,
};

/** One grant per line, so that each problem's line number is known. */
const BAD_JSON = [
  '[',
  `  ${JSON.stringify({ grantId: 'g-good', ...GOOD })},`,
  `  ${JSON.stringify({ grantId: 'g-bad-action', ...GOOD, actions: ['read', 'copy'] })},`,
  `  ${JSON.stringify({ grantId: 'g-bad-window', ...GOOD, notBefore: '2026-06-01T00:00:00Z' })},`,
  `  ${JSON.stringify({ grantId: 'g-good', ...GOOD, prefix: 'billing/' })}`,
  ']',
].join('\n');

const BAD_CSV = [
  'grantId,principal,bucket,prefix,actions,notBefore,expiresAt,purpose,breakGlass',
  'g-good,arn:aws:iam::111122223333:user/contractor-billing,examplehealth-phi-records,billing/,read,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z,payment,false',
  'g-bad-action,arn:aws:iam::111122223333:user/contractor-billing,examplehealth-phi-records,billing/,read;copy,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z,payment,false',
  'g-bad-bucket,arn:aws:iam::111122223333:user/contractor-billing,Not_A_Bucket,billing/,read,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z,payment,false',
].join('\n');

describe('grants validate', () => {
  it.each(['grants.json', 'grants.csv'])('accepts samples/%s', async (name) => {
    const captured = await runGrants(['validate', join(samples, name)]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toBe(`${join(samples, name)}: 11 grants, no problems found.\n`);
  });

  it.each([
    [
      'grants.json',
      BAD_JSON,
      [/^FILE:3: actions: /m, /^FILE:4: (notBefore|expiresAt): /m, /^FILE:5: grantId: /m],
    ],
    ['grants.csv', BAD_CSV, [/^FILE:3: actions: /m, /^FILE:4: bucket: /m]],
  ])('reports problems in %s by line', async (name, text, expected) => {
    const file = writeTemporary(name, text);
    const captured = await runGrants(['validate', file]);
    expect(captured.exitCode()).toBe(1);
    const stdout = captured.stdout().split(file).join('FILE');
    for (const pattern of expected) {
      expect(stdout).toMatch(pattern);
    }
    expect(stdout.trim().split('\n')).toHaveLength(expected.length);
  });

  it('reads --format over the extension', async () => {
    const file = writeTemporary('grants.txt', BAD_CSV);
    const captured = await runGrants(['validate', '--format', 'csv', file]);
    expect(captured.stdout()).toContain(`${file}:3: actions: `);
  });

  it('rejects an unknown extension', async () => {
    const file = writeTemporary('grants.yaml', '[]');
    const captured = await runGrants(['validate', file]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stderr()).toContain('pass --format json|csv');
  });
});

describe('grants import and revoke against dynalite', () => {
  let local: LocalDynamoDb;
  const savedEnvironment = { ...process.env };

  beforeAll(async () => {
    // The commands use the default credential chain, and dynalite only checks that requests are signed.
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    local = await startLocalDynamoDb();
    await createGrantsTable(local.client, 'grants');
    await createGrantsTable(local.client, 'untouched');
  });

  afterAll(async () => {
    await local.stop();
    process.env = savedEnvironment;
  });

  const tableArgs = (table: string) => [
    '--table',
    table,
    '--region',
    'us-east-1',
    '--endpoint',
    local.endpoint,
  ];

  async function itemCount(table: string): Promise<number | undefined> {
    const output = await local.client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    return output.Count;
  }

  it('imports the sample grants', async () => {
    const captured = await runGrants(['import', join(samples, 'grants.csv'), ...tableArgs('grants')]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toContain('Imported 11 grants');
    expect(await itemCount('grants')).toBe(11);
  });

  it('imports nothing from a file with problems', async () => {
    const file = writeTemporary('grants.json', BAD_JSON);
    const captured = await runGrants(['import', file, ...tableArgs('untouched')]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stderr()).toContain('nothing was imported');
    expect(await itemCount('untouched')).toBe(0);
  });

  it('reports a missing table', async () => {
    const captured = await runGrants(['import', join(samples, 'grants.json'), ...tableArgs('absent')]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stderr()).toMatch(
      /^error: Table absent was not found \(ResourceNotFoundException\). Check --table and --region.\n$/,
    );
  });

  it('revokes a grant and keeps it', async () => {
    const args = ['revoke', 'grant-contractor-billing-statements', '--reason', 'Contract ended.'];
    const captured = await runGrants([...args, '--by', 'security-team@example.org', ...tableArgs('grants')]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toContain(
      'Revoked grant grant-contractor-billing-statements at 2025-03-20T09:00:00.000Z',
    );

    const stored = await findGrant(
      { client: local.client, tableName: 'grants' },
      'grant-contractor-billing-statements',
    );
    expect(stored?.revokedAt).toBe('2025-03-20T09:00:00.000Z');
    expect(stored?.revokedBy).toBe('security-team@example.org');
    expect(stored?.revocationReason).toBe('Contract ended.');
    expect(stored?.prefix).toBe('billing/');
    expect(await itemCount('grants')).toBe(11);
  });

  it.each([
    ['grant-contractor-billing-statements', /already revoked/],
    ['grant-that-does-not-exist', /was not found/],
  ])('refuses to revoke %s', async (grantId, message) => {
    const captured = await runGrants(['revoke', grantId, '--reason', 'Test.', ...tableArgs('grants')]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stderr()).toMatch(message);
  });
});
