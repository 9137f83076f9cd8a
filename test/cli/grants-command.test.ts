import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerGrantsCommand } from '../../src/cli/grants/grants-command';
import type { Grant } from '../../src/domain/types';
import { findGrant, getGrant } from '../../src/grants/grant-repository';
import { createGrantsTable } from '../../src/grants/table-definition';
import { LOCAL_CREDENTIALS, startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { putRawGrant } from '../grants/support/local-grants-tables';
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

/** Grants files without grants: an empty JSON array, and a CSV file with only its header line. */
const EMPTY_GRANTS_FILES = [
  ['grants.json', '[]\n'],
  [
    'grants.csv',
    'grantId,principal,bucket,prefix,actions,notBefore,expiresAt,purpose,breakGlass,revokedAt,revokedBy,revocationReason\n',
  ],
];

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const CAROL = 'arn:aws:iam::111122223333:user/carol';
const DAVE = 'arn:aws:iam::111122223333:user/dave';

/** Returns a JSON grants file with one grant per line, so that grant N (from 1) starts on line N + 1. */
function grantsJson(grants: ({ grantId: string; principal: string } & Record<string, unknown>)[]): string {
  const lines = grants.map((grant) => `  ${JSON.stringify({ ...GOOD, ...grant })}`);
  return ['[', lines.join(',\n'), ']'].join('\n');
}

/** Returns the 1-based number of the first line of the file that starts with `prefix`. */
function lineOf(file: string, prefix: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.startsWith(prefix)) + 1
  );
}

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

  it('rejects a future revokedAt', async () => {
    const file = writeTemporary(
      'grants.json',
      grantsJson([{ grantId: 'g-alice', principal: ALICE, revokedAt: '2098-01-01T00:00:00Z' }]),
    );
    const captured = await runGrants(['validate', file]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stdout()).toBe(
      `${file}:2: revokedAt: revokedAt 2098-01-01T00:00:00Z is later than the validation time ` +
        '2025-03-20T09:00:00Z, but a revocation must record a time that has passed. To end the grant at a ' +
        'later time, set expiresAt instead.\n',
    );
  });

  it('accepts a revokedAt up to the clock', async () => {
    const file = writeTemporary(
      'grants.json',
      grantsJson([{ grantId: 'g-alice', principal: ALICE, revokedAt: '2025-03-20T09:00:00Z' }]),
    );
    const captured = await runGrants(['validate', file]);
    expect(captured.exitCode()).toBe(0);
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
    for (const table of ['grants', 'untouched', 'moved', 'mixed', 'pending', 'shared', 'empty']) {
      await createGrantsTable(local.client, table);
    }
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

  /** Checks the revocation that `revokes a grant and keeps it` stores, and returns the stored grant. */
  async function expectContractorRevocation(): Promise<Grant | undefined> {
    const stored = await findGrant(
      { client: local.client, tableName: 'grants' },
      'grant-contractor-billing-statements',
    );
    expect(stored?.revokedAt).toBe('2025-03-20T09:00:00.000Z');
    expect(stored?.revokedBy).toBe('security-team@example.org');
    expect(stored?.revocationReason).toBe('Contract ended.');
    return stored;
  }

  const grantsTable = (tableName: string) => ({ client: local.client, tableName });

  async function scanItems(table: string): Promise<unknown[]> {
    const output = await local.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return output.Items ?? [];
  }

  it('imports the sample grants', async () => {
    const captured = await runGrants(['import', join(samples, 'grants.csv'), ...tableArgs('grants')]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toContain('Imported 11 grants');
    expect(await itemCount('grants')).toBe(11);
  });

  it('identical re-import changes nothing', async () => {
    const before = await scanItems('grants');
    const file = join(samples, 'grants.csv');
    const captured = await runGrants(['import', file, ...tableArgs('grants')]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toBe(
      `Imported 11 grants from ${file} into table grants: 0 created, 0 replaced, 11 unchanged.\n`,
    );
    expect(captured.stderr()).toBe('');
    expect(await scanItems('grants')).toEqual(before);
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

    const stored = await expectContractorRevocation();
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

  it('import after revoke keeps the revocation', async () => {
    const file = join(samples, 'grants.csv');
    const line = lineOf(file, 'grant-contractor-billing-statements,');
    const captured = await runGrants(['import', file, ...tableArgs('grants')]);
    expect(captured.exitCode()).toBe(4);
    expect(captured.stdout()).toBe(
      `${file}:${line}: grantId: Grant grant-contractor-billing-statements was revoked at ` +
        '2025-03-20T09:00:00.000Z, and revocations are permanent, so the stored grant was kept. ' +
        'Give the new grant a new grantId.\n' +
        `Imported 10 grants from ${file} into table grants: 0 created, 0 replaced, 10 unchanged.\n`,
    );
    expect(captured.stderr()).toBe(
      `${file}: 1 grant was rejected and not written (listed above). The other grants were written.\n`,
    );

    await expectContractorRevocation();
    expect(await itemCount('grants')).toBe(11);
  });

  it('rejects a grantId of another principal', async () => {
    const first = writeTemporary('alice.json', grantsJson([{ grantId: 'g-alice', principal: ALICE }]));
    expect((await runGrants(['import', first, ...tableArgs('moved')])).exitCode()).toBe(0);

    const second = writeTemporary('bob.json', grantsJson([{ grantId: 'g-alice', principal: BOB }]));
    const captured = await runGrants(['import', second, ...tableArgs('moved')]);
    expect(captured.exitCode()).toBe(4);
    expect(captured.stdout()).toContain(
      `${second}:2: grantId: Grant id g-alice is already stored under principal key ${ALICE}, `,
    );
    expect(captured.stdout()).toContain('Give it a new grantId.');
    expect(await itemCount('moved')).toBe(1);

    const revoke = await runGrants(['revoke', 'g-alice', '--reason', 'Left.', ...tableArgs('moved')]);
    expect(revoke.exitCode()).toBe(0);
  });

  it('writes the good grants of a mixed file', async () => {
    const base = [
      { grantId: 'g-alice', principal: ALICE },
      { grantId: 'g-carol', principal: CAROL },
    ];
    expect(
      (
        await runGrants(['import', writeTemporary('base.json', grantsJson(base)), ...tableArgs('mixed')])
      ).exitCode(),
    ).toBe(0);
    expect(
      (await runGrants(['revoke', 'g-carol', '--reason', 'Left.', ...tableArgs('mixed')])).exitCode(),
    ).toBe(0);

    const mixed = writeTemporary(
      'mixed.json',
      grantsJson([
        { grantId: 'g-dave', principal: DAVE },
        { grantId: 'g-alice', principal: BOB },
        { grantId: 'g-carol', principal: CAROL },
      ]),
    );
    const captured = await runGrants(['import', mixed, ...tableArgs('mixed')]);
    expect(captured.exitCode()).toBe(4);
    const stdout = captured.stdout().split(mixed).join('FILE');
    expect(stdout).toMatch(/^FILE:3: grantId: Grant id g-alice is already stored under principal key /m);
    expect(stdout).toMatch(/^FILE:4: grantId: Grant g-carol was revoked at 2025-03-20T09:00:00.000Z, /m);
    expect(stdout).toMatch(
      /^Imported 1 grant from FILE into table mixed: 1 created, 0 replaced, 0 unchanged.$/m,
    );
    expect(captured.stderr()).toContain('2 grants were rejected and not written');

    const table = { client: local.client, tableName: 'mixed' };
    expect((await findGrant(table, 'g-dave'))?.principal).toBe(DAVE);
    expect((await findGrant(table, 'g-alice'))?.principal).toBe(ALICE);
    expect((await findGrant(table, 'g-carol'))?.revokedAt).toBe('2025-03-20T09:00:00.000Z');
    expect(await itemCount('mixed')).toBe(3);
  });

  it('imports nothing with a future revokedAt', async () => {
    const file = writeTemporary(
      'grants.json',
      grantsJson([{ grantId: 'g-alice', principal: ALICE, revokedAt: '2098-01-01T00:00:00Z' }]),
    );
    const captured = await runGrants(['import', file, ...tableArgs('untouched')]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stdout()).toContain(`${file}:2: revokedAt: revokedAt 2098-01-01T00:00:00Z is later than`);
    expect(captured.stderr()).toBe(`${file}: 1 problem found, so nothing was imported.\n`);
    expect(await itemCount('untouched')).toBe(0);
  });

  describe('a grant stored with a future revokedAt', () => {
    const pending: Grant = {
      ...GOOD,
      grantId: 'g-pending',
      principal: ALICE,
      principalKey: ALICE,
      actions: ['read'],
      revokedAt: '2098-01-01T00:00:00Z',
      revokedBy: 'hr-import',
      revocationReason: 'Contract ends.',
    };

    it('import without revokedAt is rejected', async () => {
      await putRawGrant(grantsTable('pending'), pending);
      const file = writeTemporary('alice.json', grantsJson([{ grantId: 'g-pending', principal: ALICE }]));
      const captured = await runGrants(['import', file, ...tableArgs('pending')]);
      expect(captured.exitCode()).toBe(4);
      expect(captured.stdout()).toContain(
        `${file}:2: grantId: Grant g-pending is scheduled to be revoked at 2098-01-01T00:00:00Z, and an ` +
          'import never clears or postpones a revocation, so the stored grant was kept. To end the grant ' +
          'now, run phi-guard grants revoke g-pending, or import it with a revokedAt that has passed.\n',
      );
      expect(await getGrant(grantsTable('pending'), ALICE, 'g-pending')).toEqual(pending);
    });

    it('revoke moves it to now', async () => {
      const args = [
        'revoke',
        'g-pending',
        '--reason',
        'Access ends now.',
        '--by',
        'security-team@example.org',
      ];
      const captured = await runGrants([...args, ...tableArgs('pending')]);
      expect(captured.exitCode()).toBe(0);
      expect(captured.stdout()).toContain(
        'Revoked grant g-pending at 2025-03-20T09:00:00.000Z by security-team@example.org:\n',
      );
      expect(await getGrant(grantsTable('pending'), ALICE, 'g-pending')).toEqual({
        ...pending,
        revokedAt: '2025-03-20T09:00:00.000Z',
        revokedBy: 'security-team@example.org',
        revocationReason: 'Access ends now.',
      });

      const again = await runGrants(['revoke', 'g-pending', '--reason', 'Again.', ...tableArgs('pending')]);
      expect(again.exitCode()).toBe(1);
      expect(again.stderr()).toBe(
        'error: Grant g-pending was already revoked at 2025-03-20T09:00:00.000Z, and a revocation in effect ' +
          'is never overwritten.\n',
      );
    });

    it('import with a passed revokedAt moves it earlier', async () => {
      const later = { ...pending, grantId: 'g-pending-2' };
      await putRawGrant(grantsTable('pending'), later);
      const revokedAt = '2025-03-20T08:00:00Z';
      const file = writeTemporary(
        'alice.json',
        grantsJson([{ grantId: 'g-pending-2', principal: ALICE, revokedAt, revokedBy: 'hr-import' }]),
      );
      const captured = await runGrants(['import', file, ...tableArgs('pending')]);
      expect(captured.exitCode()).toBe(0);
      expect(captured.stdout()).toBe(
        `Imported 1 grant from ${file} into table pending: 0 created, 1 replaced, 0 unchanged.\n`,
      );
      const stored = await getGrant(grantsTable('pending'), ALICE, 'g-pending-2');
      expect(stored?.revokedAt).toBe(revokedAt);
      expect(stored?.revocationReason).toBeUndefined();
    });
  });

  describe('a grant id under two principals', () => {
    const grantOf = (principal: string): Grant => ({
      ...GOOD,
      grantId: 'dup-1',
      principal,
      principalKey: principal,
      actions: ['read'],
    });

    it('revoke without --principal names both', async () => {
      await putRawGrant(grantsTable('shared'), grantOf(BOB));
      await putRawGrant(grantsTable('shared'), grantOf(ALICE));
      const captured = await runGrants(['revoke', 'dup-1', '--reason', 'x', ...tableArgs('shared')]);
      expect(captured.exitCode()).toBe(1);
      expect(captured.stderr()).toBe(
        `error: Grant id dup-1 is stored under 2 principals (${ALICE}, ${BOB}), so it does not name one ` +
          'grant. Run the command again with --principal and one of these principals to revoke the grant of ' +
          'that principal.\n',
      );
      expect(await getGrant(grantsTable('shared'), ALICE, 'dup-1')).toEqual(grantOf(ALICE));
      expect(await getGrant(grantsTable('shared'), BOB, 'dup-1')).toEqual(grantOf(BOB));
    });

    it('revoke with --principal picks one', async () => {
      // An IAM path is removed as on import, so this names BOB's key.
      const bobWithPath = 'arn:aws:iam::111122223333:user/staff/bob';
      const args = ['revoke', 'dup-1', '--reason', 'x', '--by', 'sec', '--principal', bobWithPath];
      const captured = await runGrants([...args, ...tableArgs('shared')]);
      expect(captured.exitCode()).toBe(0);
      expect(captured.stdout()).toContain('Revoked grant dup-1 at 2025-03-20T09:00:00.000Z by sec:\n');
      expect((await getGrant(grantsTable('shared'), BOB, 'dup-1'))?.revokedAt).toBe(
        '2025-03-20T09:00:00.000Z',
      );
      expect(await getGrant(grantsTable('shared'), ALICE, 'dup-1')).toEqual(grantOf(ALICE));
    });

    it.each([
      ['not-an-arn', /^error: Principal "not-an-arn" is not a supported form\. /],
      [
        CAROL,
        /^error: Grant dup-1 was not found under principal key arn:aws:iam::111122223333:user\/carol in the grants table\.\n$/,
      ],
    ])('revoke with --principal %s fails', async (principal, message) => {
      const args = ['revoke', 'dup-1', '--reason', 'x', '--principal', principal];
      const captured = await runGrants([...args, ...tableArgs('shared')]);
      expect(captured.exitCode()).toBe(1);
      expect(captured.stderr()).toMatch(message);
      expect(await getGrant(grantsTable('shared'), ALICE, 'dup-1')).toEqual(grantOf(ALICE));
    });
  });

  it.each(EMPTY_GRANTS_FILES)('import warns about an empty %s', async (name, text) => {
    const file = writeTemporary(name, text);
    const captured = await runGrants(['import', file, ...tableArgs('empty')]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toBe(
      `Imported 0 grants from ${file} into table empty: 0 created, 0 replaced, 0 unchanged.\n`,
    );
    expect(captured.stderr()).toBe(
      `warning: ${file} contains no grants, so nothing was written to table empty.\n`,
    );
    expect(await itemCount('empty')).toBe(0);
  });
});

describe('grants validate counts', () => {
  it.each(EMPTY_GRANTS_FILES)('warns about an empty %s', async (name, text) => {
    const file = writeTemporary(name, text);
    const captured = await runGrants(['validate', file]);
    expect(captured.exitCode()).toBe(0);
    expect(captured.stdout()).toBe(`${file}: 0 grants, no problems found.\n`);
    expect(captured.stderr()).toBe(
      `warning: ${file} contains no grants, so every access that a grant could cover would be a violation.\n`,
    );
  });

  it('says 1 grant in the singular', async () => {
    const file = writeTemporary('grants.json', grantsJson([{ grantId: 'g-alice', principal: ALICE }]));
    const captured = await runGrants(['validate', file]);
    expect(captured.stdout()).toBe(`${file}: 1 grant, no problems found.\n`);
    expect(captured.stderr()).toBe('');
  });

  it('says 1 problem in the singular', async () => {
    const file = writeTemporary('grants.json', grantsJson([{ grantId: 'g-alice', principal: 'not-an-arn' }]));
    const captured = await runGrants(['validate', file]);
    expect(captured.exitCode()).toBe(1);
    expect(captured.stderr()).toBe(`${file}: 1 problem found. Fix the file and validate again.\n`);
  });
});
