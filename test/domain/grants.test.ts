import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidGrantError } from '../../src/domain/errors';
import {
  canRevokeAt,
  isRevocationPending,
  parseGrantsFile,
  principalKeyOf,
  revokeGrant,
} from '../../src/domain/grants';
import { loadFixtureGrants, repoRoot } from './fixture-loader';

describe('principalKeyOf', () => {
  it.each([
    ['arn:aws:iam::111122223333:user/dana', 'arn:aws:iam::111122223333:user/dana', undefined],
    ['arn:aws:iam::111122223333:user/clinical/night/dana', 'arn:aws:iam::111122223333:user/dana', undefined],
    [
      'arn:aws:iam::111122223333:role/service/export-role',
      'arn:aws:iam::111122223333:role/export-role',
      undefined,
    ],
    [
      'arn:aws:sts::111122223333:assumed-role/export-role/batch-7',
      'arn:aws:iam::111122223333:role/export-role',
      'batch-7',
    ],
    [
      'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Nurses_0123abcd/sam@example.org',
      'arn:aws:iam::111122223333:role/AWSReservedSSO_Nurses_0123abcd',
      'sam@example.org',
    ],
    [
      'arn:aws:identitystore:::user/91a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8',
      'arn:aws:identitystore:::user/91a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8',
      undefined,
    ],
    [
      'arn:aws:sts::111122223333:federated-user/portal',
      'arn:aws:sts::111122223333:federated-user/portal',
      undefined,
    ],
    ['444455556666', '444455556666', undefined],
    ['arn:aws:iam::444455556666:root', '444455556666', undefined],
    ['arn:aws-us-gov:iam::111122223333:user/dana', 'arn:aws-us-gov:iam::111122223333:user/dana', undefined],
  ])('%s', (principal, principalKey, sessionName) => {
    expect(principalKeyOf(principal)).toEqual(
      sessionName === undefined ? { principalKey } : { principalKey, sessionName },
    );
  });

  it.each([
    '',
    '*',
    '11112222333',
    'dana',
    'arn:aws:iam::111122223333:group/clinicians',
    'arn:aws:iam::111122223333:user/',
    'arn:aws:sts::111122223333:assumed-role/export-role',
    'arn:aws:s3:::example-phi-records',
    'arn:aws:identitystore::111122223333:user/abc',
    'root:111122223333',
    'anonymous',
    'arn:aws:iam::111122223333:user/da*na',
  ])('rejects %p', (principal) => {
    expect(() => principalKeyOf(principal)).toThrow(InvalidGrantError);
    expect(() => principalKeyOf(principal)).toThrow('is not a supported form');
  });
});

const validGrant = {
  grantId: 'g-1',
  principal: 'arn:aws:iam::111122223333:user/dana',
  bucket: 'example-phi-records',
  prefix: 'patients/',
  actions: ['read'],
  notBefore: '2025-01-01T00:00:00Z',
  expiresAt: '2025-07-01T00:00:00Z',
  purpose: 'treatment',
};

function jsonFileOf(grants: unknown[]): string {
  return JSON.stringify(grants, null, 2);
}

describe('parseGrantsFile JSON', () => {
  it('parses the fixture grants', () => {
    const grants = loadFixtureGrants();

    expect(grants).toHaveLength(9);
    expect(grants[0]).toEqual({
      grantId: 'g-dana-records-read',
      principal: 'arn:aws:iam::111122223333:user/clinical/dana.analyst',
      principalKey: 'arn:aws:iam::111122223333:user/dana.analyst',
      bucket: 'example-phi-records',
      prefix: 'patients/',
      actions: ['read', 'list'],
      notBefore: '2025-01-01T00:00:00Z',
      expiresAt: '2026-01-01T00:00:00Z',
      purpose: 'treatment',
      breakGlass: false,
    });
    expect(grants.find((grant) => grant.grantId === 'g-sso-nurse-notes')?.sessionName).toBe(
      'sam.nurse@example.org',
    );
    expect(grants.find((grant) => grant.grantId === 'g-partner-claims')?.revokedAt).toBe(
      '2025-03-04T16:00:00Z',
    );
  });

  it('accepts the wrapped form and normalizes times', () => {
    const text = JSON.stringify({
      grants: [
        { ...validGrant, notBefore: '2025-01-01T02:00:00+02:00', expiresAt: '2025-07-01T00:00:00.500Z' },
      ],
    });

    const { grants, problems } = parseGrantsFile(text, 'json');

    expect(problems).toEqual([]);
    expect(grants[0].notBefore).toBe('2025-01-01T00:00:00Z');
    expect(grants[0].expiresAt).toBe('2025-07-01T00:00:00.500Z');
  });

  it.each([
    [
      'grantId',
      { grantId: '' },
      'grantId must be letters, digits and . _ : @ / + = -, 1 to 128 characters; received "".',
    ],
    ['grantId', { grantId: 'g 1' }, 'received "g 1"'],
    ['principal', { principal: 'dana' }, 'Principal "dana" is not a supported form.'],
    ['principal', { principal: undefined }, 'principal must be a non-empty string; received nothing.'],
    [
      'principalKey',
      { principalKey: 'arn:aws:iam::111122223333:user/eve' },
      'does not match "arn:aws:iam::111122223333:user/dana"',
    ],
    ['sessionName', { sessionName: 'night-shift' }, 'sessionName applies only to role principals'],
    [
      'sessionName',
      { principal: 'arn:aws:sts::111122223333:assumed-role/r/s-1', sessionName: 's-2' },
      'differs from session "s-1"',
    ],
    [
      'bucket',
      { bucket: 'Example_PHI' },
      'bucket "Example_PHI" is not a valid S3 bucket name: it may contain only lowercase letters',
    ],
    ['bucket', { bucket: 'ab' }, 'it must be 3 to 63 characters long'],
    ['bucket', { bucket: '-phi-' }, 'it must begin and end with a letter or digit'],
    ['bucket', { bucket: 'phi..records' }, 'two adjacent dots'],
    ['bucket', { bucket: '192.168.10.12' }, 'IP address'],
    ['bucket', { bucket: 'xn--phi' }, 'xn--'],
    ['bucket', { bucket: 'phi-s3alias' }, '-s3alias'],
    ['prefix', { prefix: 'patients/*' }, 'prefix "patients/*" contains "*"'],
    [
      'prefix',
      { prefix: '' },
      'prefix must be a literal key prefix such as "patients/", or "*" for the whole bucket; received "".',
    ],
    [
      'actions',
      { actions: ['read', 'copy'] },
      'actions must be a non-empty list of distinct actions from read, write, delete, list; received ["read","copy"].',
    ],
    ['actions', { actions: [] }, 'received [].'],
    ['actions', { actions: ['read', 'read'] }, 'received ["read","read"].'],
    ['actions', { actions: 'read' }, 'received "read".'],
    [
      'notBefore',
      { notBefore: '2025-01-01' },
      'notBefore must be a real calendar date and time in ISO 8601 with a zone, such as 2025-03-01T08:00:00Z; received "2025-01-01".',
    ],
    ['expiresAt', { expiresAt: '2025-13-01T00:00:00Z' }, 'received "2025-13-01T00:00:00Z"'],
    ['expiresAt', { expiresAt: '2025-02-30T00:00:00Z' }, 'received "2025-02-30T00:00:00Z"'],
    ['expiresAt', { expiresAt: '2025-07-01T24:00:00Z' }, 'received "2025-07-01T24:00:00Z"'],
    [
      'expiresAt',
      { expiresAt: '2024-12-31T00:00:00Z' },
      'expiresAt 2024-12-31T00:00:00Z must be later than notBefore 2025-01-01T00:00:00Z.',
    ],
    ['purpose', { purpose: ' ' }, 'purpose must be a non-empty string'],
    ['breakGlass', { breakGlass: 'yes' }, 'breakGlass must be true or false; received "yes".'],
    ['revokedAt', { revokedAt: 'now' }, 'revokedAt must be a real calendar date and time'],
    ['revokedBy', { revokedBy: 'lead@example.org' }, 'revokedBy is set, but revokedAt is missing'],
    [
      'expiresAT',
      { expiresAT: '2025-07-01T00:00:00Z' },
      'Unknown field "expiresAT"; allowed fields are grantId, principal',
    ],
  ])('reports %s problem', (field, change, message) => {
    const text = jsonFileOf([validGrant, { ...validGrant, grantId: 'g-2', ...change }]);

    const { grants, problems } = parseGrantsFile(text, 'json');

    expect(grants.map((grant) => grant.grantId)).toEqual(['g-1']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 14, field });
    expect(problems[0].message).toContain(message);
  });

  it('reports duplicate grantIds on the later line', () => {
    const text = jsonFileOf([validGrant, validGrant]);

    const { grants, problems } = parseGrantsFile(text, 'json');

    expect(grants).toHaveLength(1);
    expect(problems).toEqual([
      {
        line: 14,
        field: 'grantId',
        message: 'grantId "g-1" is already used by the grant on line 2; every grantId must be unique.',
      },
    ]);
  });

  it('reports every problem of one grant', () => {
    const text = jsonFileOf([{ ...validGrant, bucket: 'A', actions: ['copy'], purpose: '' }]);

    const { problems } = parseGrantsFile(text, 'json');

    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [2, 'bucket'],
      [2, 'actions'],
      [2, 'purpose'],
    ]);
  });

  it('locates grants in compact and wrapped files', () => {
    const compact = `[${JSON.stringify(validGrant)},\n${JSON.stringify({ ...validGrant, grantId: 'g-2', bucket: 'A' })}]`;
    const wrapped = `{"version": 1, "notes": ["x", "y"],\n "grants": [\n  ${JSON.stringify({ ...validGrant, bucket: 'A' })}\n ]}`;

    expect(parseGrantsFile(compact, 'json').problems[0].line).toBe(2);
    expect(parseGrantsFile(wrapped, 'json').problems[0].line).toBe(3);
  });

  it.each([
    ['broken JSON', '[\n  {"grantId": "g-1",\n  }\n]', 3, 'The file is not valid JSON'],
    ['a grant that is not an object', '[\n  "g-1"\n]', 2, 'A grant must be an object; received "g-1".'],
    [
      'a wrong top-level shape',
      '{"items": []}',
      1,
      'The file must hold an array of grants or an object {"grants": [...]}.',
    ],
  ])('reports %s', (_name, text, line, message) => {
    const { grants, problems } = parseGrantsFile(text, 'json');

    expect(grants).toEqual([]);
    expect(problems[0].line).toBe(line);
    expect(problems[0].message).toContain(message);
  });
});

describe('parseGrantsFile revokedAt and the clock', () => {
  const validatedAt = new Date('2025-03-20T09:00:00.000Z');
  const parseAt = (grant: object, now = validatedAt) =>
    parseGrantsFile(jsonFileOf([grant]), 'json', { now: () => now });

  it('rejects a future revokedAt', () => {
    const { grants, problems } = parseAt({ ...validGrant, revokedAt: '2098-01-01T00:00:00Z' });

    expect(grants).toEqual([]);
    expect(problems).toEqual([
      {
        line: 2,
        field: 'revokedAt',
        message:
          'revokedAt 2098-01-01T00:00:00Z is later than the validation time 2025-03-20T09:00:00Z, but a ' +
          'revocation must record a time that has passed. To end the grant at a later time, set expiresAt instead.',
      },
    ]);
  });

  it('compares an offset revokedAt as UTC', () => {
    // 10:30+01:00 is 09:30Z, half an hour after the validation time.
    const { problems } = parseAt({ ...validGrant, revokedAt: '2025-03-20T10:30:00+01:00' });

    expect(problems.map((problem) => problem.field)).toEqual(['revokedAt']);
    expect(problems[0].message).toContain('revokedAt 2025-03-20T09:30:00Z is later than');
  });

  it.each([
    ['the validation time itself', '2025-03-20T09:00:00Z', '2025-03-20T09:00:00Z'],
    ['an earlier time', '2025-03-14T10:00:00Z', '2025-03-14T10:00:00Z'],
    ['an offset time that has passed', '2025-03-20T09:59:00+01:00', '2025-03-20T08:59:00Z'],
  ])('accepts %s', (_name, revokedAt, stored) => {
    const { grants, problems } = parseAt({ ...validGrant, revokedAt });

    expect(problems).toEqual([]);
    expect(grants[0].revokedAt).toBe(stored);
  });

  it('rejects a revokedAt after the system clock by default', () => {
    const { problems } = parseGrantsFile(
      jsonFileOf([{ ...validGrant, revokedAt: '2098-01-01T00:00:00Z' }]),
      'json',
    );

    expect(problems.map((problem) => problem.field)).toEqual(['revokedAt']);
  });

  it('accepts the same revokedAt once it has passed', () => {
    const grant = { ...validGrant, revokedAt: '2025-04-01T00:00:00Z' };

    expect(parseAt(grant).problems).toHaveLength(1);
    expect(parseAt(grant, new Date('2025-04-01T00:00:00.001Z')).problems).toEqual([]);
  });
});

const csvHeader = 'grantId,principal,bucket,prefix,actions,notBefore,expiresAt,purpose,breakGlass';
const csvRow =
  'g-1,arn:aws:iam::111122223333:user/dana,example-phi-records,patients/,read;list,2025-01-01T00:00:00Z,2025-07-01T00:00:00Z,treatment,false';

describe('parseGrantsFile CSV', () => {
  it('parses rows with quoting and blank lines', () => {
    const text = [
      csvHeader,
      csvRow,
      '',
      'g-2,444455556666,example-phi-records,"exports/partner, ""claims""/",read,2025-01-01T00:00:00Z,2025-07-01T00:00:00Z,"payment,\naudit",TRUE',
      '',
    ].join('\r\n');

    const { grants, problems } = parseGrantsFile(text, 'csv');

    expect(problems).toEqual([]);
    expect(grants.map((grant) => grant.actions)).toEqual([['read', 'list'], ['read']]);
    expect(grants[1]).toMatchObject({
      principalKey: '444455556666',
      prefix: 'exports/partner, "claims"/',
      purpose: 'payment,\naudit',
      breakGlass: true,
    });
  });

  it('reports problems with row lines', () => {
    const text = [
      csvHeader,
      csvRow,
      'g-2,arn:aws:iam::111122223333:user/dana,"multi',
      'line",patients/,read,2025-01-01T00:00:00Z,2025-07-01T00:00:00Z,treatment,false',
      'g-3,arn:aws:iam::111122223333:user/dana,example-phi-records,patients/,read;erase,2025-01-01T00:00:00Z,2025-07-01T00:00:00Z,treatment,maybe',
    ].join('\n');

    const { grants, problems } = parseGrantsFile(text, 'csv');

    expect(grants.map((grant) => grant.grantId)).toEqual(['g-1']);
    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [3, 'bucket'],
      [5, 'actions'],
      [5, 'breakGlass'],
    ]);
    expect(problems[2].message).toBe('breakGlass must be true or false; received "maybe".');
  });

  it.each([
    ['an empty file', '', 1, 'The CSV file is empty; expected a header row.'],
    [
      'an unknown column',
      `${csvHeader},owner\n${csvRow},x`,
      1,
      'Unknown column "owner"; allowed columns are grantId, principal',
    ],
    [
      'a repeated column',
      `${csvHeader},bucket\n${csvRow},x`,
      1,
      'Column "bucket" appears more than once in the header.',
    ],
    [
      'a short row',
      `${csvHeader}\n${csvRow}\ng-2,x`,
      3,
      'The row has 2 cells, but the header has 9 columns.',
    ],
    [
      'an unclosed quote',
      `${csvHeader}\n${csvRow}\n"g-2,x`,
      3,
      'A quoted CSV cell is not closed before the end of the file.',
    ],
    [
      'a missing column',
      `grantId,principal\ng-1,444455556666`,
      2,
      'bucket must be a non-empty string; received nothing.',
    ],
  ])('reports %s', (_name, text, line, message) => {
    const { problems } = parseGrantsFile(text, 'csv');

    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].line).toBe(line);
    expect(problems.map((problem) => problem.message).join('\n')).toContain(message);
  });
});

describe('parseGrantsFile with several CSV problems', () => {
  it('reports row and grant problems together', () => {
    const badAction = csvRow.replace('g-1,', 'g-2,').replace('read;list', 'read;erase');
    const text = [csvHeader, csvRow, 'g-3,x', badAction, 'g-4'].join('\n');

    const { grants, problems } = parseGrantsFile(text, 'csv');

    expect(grants.map((grant) => grant.grantId)).toEqual(['g-1']);
    expect(problems.map((problem) => problem.line)).toEqual([3, 4, 5]);
    expect(problems[0].message).toBe('The row has 2 cells, but the header has 9 columns.');
    expect(problems[1].field).toBe('actions');
    expect(problems[2].message).toBe('The row has 1 cell, but the header has 9 columns.');
  });
});

describe('revokeGrant', () => {
  const [grant] = loadFixtureGrants();

  it('closes the window and keeps the grant', () => {
    const revoked = revokeGrant(grant, '2025-06-01T12:00:00Z', 'lead@example.org', 'Left the care team.');

    expect(revoked).toEqual({
      ...grant,
      revokedAt: '2025-06-01T12:00:00Z',
      revokedBy: 'lead@example.org',
      revocationReason: 'Left the care team.',
    });
    expect(grant.revokedAt).toBeUndefined();
  });

  it('moves a pending revocation earlier', () => {
    const pending = {
      ...grant,
      revokedAt: '2098-01-01T00:00:00Z',
      revokedBy: 'import',
      revocationReason: 'end',
    };

    const revoked = revokeGrant(pending, '2025-06-01T12:00:00.000Z', 'lead@example.org', 'Left the team.');

    expect(revoked.revokedAt).toBe('2025-06-01T12:00:00.000Z');
    expect(revoked.revokedBy).toBe('lead@example.org');
    expect(revoked.revocationReason).toBe('Left the team.');
  });

  it.each([
    [
      'a revocation at the same time',
      { ...grant, revokedAt: '2025-06-01T12:00:00Z', revokedBy: 'a@example.org' },
      '2025-06-01T12:00:00.000Z',
      'a',
      'r',
      'was already revoked at 2025-06-01T12:00:00Z by a@example.org',
    ],
    [
      'a later revocation',
      { ...grant, revokedAt: '2025-06-01T12:00:00Z', revokedBy: 'a@example.org' },
      '2025-06-01T12:00:00.500Z',
      'a',
      'r',
      'was already revoked at 2025-06-01T12:00:00Z by a@example.org',
    ],
    [
      'a stored revokedAt that does not parse',
      { ...grant, revokedAt: 'soon', revokedBy: 'a@example.org' },
      '2025-06-01T12:00:00Z',
      'a',
      'r',
      'was already revoked at soon by a@example.org',
    ],
    [
      'an already revoked grant',
      { ...grant, revokedAt: '2025-05-01T00:00:00Z', revokedBy: 'a@example.org' },
      '2025-06-01T12:00:00Z',
      'a',
      'r',
      'was already revoked at 2025-05-01T00:00:00Z by a@example.org',
    ],
    ['a bad time', grant, '2025-06-01', 'a', 'r', 'revokedAt "2025-06-01" is not an ISO 8601 time'],
    [
      'an empty revoker',
      grant,
      '2025-06-01T12:00:00Z',
      ' ',
      'r',
      'requires the name of the revoker and a reason',
    ],
    [
      'an empty reason',
      grant,
      '2025-06-01T12:00:00Z',
      'a',
      '',
      'requires the name of the revoker and a reason',
    ],
  ])('rejects %s', (_name, target, revokedAt, revokedBy, reason, message) => {
    expect(() => revokeGrant(target, revokedAt, revokedBy, reason)).toThrow(InvalidGrantError);
    expect(() => revokeGrant(target, revokedAt, revokedBy, reason)).toThrow(message);
  });
});

describe('isRevocationPending and canRevokeAt', () => {
  const [grant] = loadFixtureGrants();
  const at = (time: string) => Date.parse(time);

  // String order would get the first two cases wrong, because "…00Z" sorts after "…00.500Z".
  it.each([
    ['2025-06-01T12:00:00Z', '2025-06-01T12:00:00.500Z', false],
    ['2025-06-01T12:00:00.500Z', '2025-06-01T12:00:00Z', true],
    ['2025-06-01T12:00:00Z', '2025-06-01T12:00:00.000Z', false],
    ['2025-06-01T14:00:00+02:00', '2025-06-01T11:59:59Z', true],
    ['2025-06-01T14:00:00+02:00', '2025-06-01T12:00:00Z', false],
    ['not a time', '2025-06-01T12:00:00Z', false],
  ])('revokedAt %s pending at %s: %s', (revokedAt, time, pending) => {
    expect(isRevocationPending(revokedAt, at(time))).toBe(pending);
    expect(canRevokeAt({ ...grant, revokedAt }, time)).toBe(pending);
  });

  it('canRevokeAt accepts an active grant', () => {
    expect(canRevokeAt(grant, '2025-06-01T12:00:00Z')).toBe(true);
  });

  it('canRevokeAt rejects a time that does not parse', () => {
    expect(canRevokeAt({ ...grant, revokedAt: '2098-01-01T00:00:00Z' }, 'now')).toBe(false);
  });
});

describe('docs/grants.md examples', () => {
  const text = readFileSync(path.join(repoRoot, 'docs', 'grants.md'), 'utf8');
  const block = (language: string) =>
    new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text)?.[1] ?? '';

  it.each([
    ['json', 2],
    ['csv', 2],
  ] as const)('%s example parses cleanly', (format, count) => {
    const { grants, problems } = parseGrantsFile(block(format), format);

    expect(problems).toEqual([]);
    expect(grants).toHaveLength(count);
  });
});
