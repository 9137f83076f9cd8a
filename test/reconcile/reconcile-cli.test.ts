import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { EVENTS_MISSING_EXIT_CODE, registerReconcileCommand } from '../../src/cli/reconcile-command';
import { extractRecords } from '../../src/domain/cloudtrail-input';
import { captureIo, testProgram } from '../cli/cli-io';
import { writeTrailFolder } from '../cli/trail-folder';
import { runReplayCommand } from '../../src/cli/replay/replay-command';
import { readTrailRecords } from '../../src/reconcile/local-files';
import {
  dataEvent,
  deleteObjectsEvent,
  eventId,
  fourRecords,
  INVALID_RECORD_REASONS,
  OTHER_BUCKET,
  PHI_BUCKET,
  recordsWithInvalidOnes,
  TRUNCATED_LOG_FILE_REASON,
  truncatedLogFile,
} from './fixtures';

let directory: string;
let trailDirectory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'phi-guard-reconcile-'));
  trailDirectory = path.join(directory, 'trail', '2025', '03', '01');
  await mkdir(trailDirectory, { recursive: true });
  const logFile = {
    Records: [
      dataEvent({ eventId: eventId(1) }),
      deleteObjectsEvent(eventId(2), ['patients/0001/a.pdf', 'patients/0002/b.pdf']),
      dataEvent({ eventId: eventId(3), bucket: OTHER_BUCKET }),
      // A bucket-level data event: the rules forward it, but the validator decides nothing.
      {
        ...dataEvent({ eventId: eventId(4), eventName: 'GetBucketAcl' }),
        requestParameters: { bucketName: PHI_BUCKET },
      },
    ],
  };
  await writeFile(path.join(trailDirectory, 'log-1.json.gz'), gzipSync(JSON.stringify(logFile)));
  await writeFile(
    path.join(trailDirectory, 'more.jsonl'),
    `${JSON.stringify(dataEvent({ eventId: eventId(5) }))}\n`,
  );
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Decision lines as `phi-guard replay --out` writes them, only the fields the command reads plus a few. */
async function decisionsFile(name: string, eventIds: readonly string[]): Promise<string> {
  const file = path.join(directory, name);
  const lines = eventIds.map((id, index) =>
    JSON.stringify({ decisionId: `${id}#${index}`, eventId: id, decision: 'authorized', bucket: PHI_BUCKET }),
  );
  await writeFile(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}

async function run(args: readonly string[]) {
  const captured = captureIo();
  const program = testProgram(captured);
  registerReconcileCommand(program, captured.io);
  await program.parseAsync(['node', 'phi-guard', 'reconcile', ...args]);
  return captured;
}

/** Runs `reconcile` on the trail folder that `beforeAll` writes, with the decisions file and further options. */
function runOnSharedTrail(decisions: string, ...options: string[]) {
  return run(['--trail', path.join(directory, 'trail'), '--decisions', decisions, ...options]);
}

/** Writes the files into a new trail folder and returns its path. */
async function trailWith(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const trail = path.join(directory, name);
  await mkdir(trail, { recursive: true });
  for (const [fileName, content] of Object.entries(files)) {
    await writeFile(path.join(trail, fileName), content);
  }
  return trail;
}

describe('phi-guard reconcile', () => {
  test('nothing missing exits 0', async () => {
    const decisions = await decisionsFile('all.jsonl', [
      eventId(1),
      eventId(2),
      eventId(2),
      eventId(3),
      eventId(5),
    ]);
    const result = await runOnSharedTrail(decisions, '--buckets', PHI_BUCKET);

    expect(result.exitCode()).toBe(0);
    expect(result.stdout()).toContain('Expected events: 3');
    expect(result.stdout()).toContain('Received events: 3');
    expect(result.stdout()).toContain('Missing events: 0');
  });

  test('missing events exit 3', async () => {
    const decisions = await decisionsFile('some.jsonl', [eventId(1)]);
    const out = path.join(directory, 'missing.jsonl');
    const result = await runOnSharedTrail(decisions, '--buckets', PHI_BUCKET, '--out', out);

    expect(result.exitCode()).toBe(EVENTS_MISSING_EXIT_CODE);
    expect(result.stdout()).toContain('Missing events: 2');
    expect(result.stdout()).toContain(`missing ${eventId(2)}`);
    expect(result.stdout()).toContain(`missing ${eventId(5)}`);
    expect(result.stdout()).not.toContain(`missing ${eventId(4)}`);

    const written = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      written
        .flatMap((event) => extractRecords(event))
        .map((record) => (record as { eventID: string }).eventID),
    ).toEqual([eventId(2), eventId(5)]);
  });

  test('every bucket without --buckets', async () => {
    const decisions = await decisionsFile('phi-only.jsonl', [eventId(1), eventId(2), eventId(5)]);
    const result = await runOnSharedTrail(decisions);

    expect(result.exitCode()).toBe(EVENTS_MISSING_EXIT_CODE);
    expect(result.stdout()).toContain(`missing ${eventId(3)}`);
  });

  test('invalid decisions file exits 1', async () => {
    const file = path.join(directory, 'broken.jsonl');
    await writeFile(file, '{"decision":"authorized"}\n');
    const result = await runOnSharedTrail(file);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toContain(`Line 1 of ${file} is not a decision`);
  });

  test('lists every invalid trail file', async () => {
    const brokenTrail = await trailWith('broken-trail', {
      'a-truncated.json': '{"Records": [',
      'b-not-cloudtrail.json': '{"Items": []}',
      'c-valid.jsonl': `${JSON.stringify(dataEvent({ eventId: eventId(9) }))}\n`,
    });
    const truncated = path.join(brokenTrail, 'a-truncated.json');
    const notCloudTrail = path.join(brokenTrail, 'b-not-cloudtrail.json');
    const decisions = await decisionsFile('none.jsonl', []);

    const result = await run(['--trail', brokenTrail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toContain(
      'error: 2 CloudTrail files are invalid, so nothing was compared. Fix or remove them and run again:',
    );
    expect(result.stderr()).toContain(`\n  ${truncated}: `);
    expect(result.stderr()).toContain(`\n  ${notCloudTrail}: `);
    expect(result.stdout()).toBe('');
  });

  test('names one invalid trail file', async () => {
    const brokenTrail = await trailWith('one-broken-trail', { 'truncated.json': '{"Records": [' });
    const truncated = path.join(brokenTrail, 'truncated.json');
    const decisions = await decisionsFile('none-again.jsonl', []);

    const result = await run(['--trail', brokenTrail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toContain(`error: Invalid CloudTrail file ${truncated}: `);
  });

  test('missing trail folder exits 1', async () => {
    const decisions = await decisionsFile('empty.jsonl', []);
    const result = await run(['--trail', path.join(directory, 'absent'), '--decisions', decisions]);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toMatch(/^error: /);
  });
});

describe('phi-guard reconcile of invalid records', () => {
  let invalidTrail: string;
  let logFile: string;

  beforeAll(async () => {
    const records = JSON.stringify({ Records: recordsWithInvalidOnes(eventId(1)) });
    invalidTrail = await trailWith('invalid-records', { 'log.json': records });
    logFile = path.join(invalidTrail, 'log.json');
  });

  test('lists each invalid record and exits 2', async () => {
    const decisions = await decisionsFile('first-only.jsonl', [eventId(1)]);
    const result = await run(['--trail', invalidTrail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(2);
    expect(result.stdout()).toContain('Expected events: 1\nReceived events: 1\nMissing events: 0\n');
    expect(result.stdout()).toContain(
      'Invalid records not compared: 6 (replay fails them too, so they have no decision)\n',
    );
    for (const [position, reason] of INVALID_RECORD_REASONS) {
      expect(result.stdout()).toMatch(
        new RegExp(
          `^  ${escape(logFile)} record ${position}( \\(eventID [^)]+\\))?: ${escape(reason)}$`,
          'm',
        ),
      );
    }
    expect(result.stderr()).toBe(
      'warning: 6 invalid records could not be compared, so the comparison is incomplete.\n',
    );
  });

  test('missing events outrank invalid records', async () => {
    const decisions = await decisionsFile('no-decisions.jsonl', []);
    const result = await run(['--trail', invalidTrail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(EVENTS_MISSING_EXIT_CODE);
    expect(result.stdout()).toContain(`missing ${eventId(1)}`);
    expect(result.stdout()).toContain('Invalid records not compared: 6 ');
  });

  test('ignores invalid records of other buckets', async () => {
    const decisions = await decisionsFile('first-again.jsonl', [eventId(1)]);
    const result = await run(['--trail', invalidTrail, '--decisions', decisions, '--buckets', OTHER_BUCKET]);

    expect(result.exitCode()).toBe(2);
    expect(result.stdout()).toContain('Expected events: 0\n');
    expect(result.stdout()).toContain('Invalid records not compared: 3 ');
    expect(result.stdout()).not.toContain(`${logFile} record 2`);
    expect(result.stdout()).toContain(`${logFile} record 3: `);
  });
});

describe('phi-guard reconcile inputs', () => {
  test('skips digest and Insights files', async () => {
    const trail = writeTrailFolder(path.join(directory, 'bucket'), [dataEvent({ eventId: eventId(11) })]);
    const decisions = await decisionsFile('eleven.jsonl', [eventId(11)]);
    const result = await run(['--trail', trail.root, '--decisions', decisions]);

    expect(result.exitCode()).toBe(0);
    expect(result.stdout()).toBe(
      'Skipped CloudTrail digest and Insights files: 2 (they contain no API call records)\n' +
        'Expected events: 1\nReceived events: 1\nMissing events: 0\n',
    );
    expect(result.stderr()).toBe('');
  });

  test('empty trail folder exits 1', async () => {
    const emptyTrail = await trailWith('empty-trail', { 'empty.json': '' });
    const decisions = await decisionsFile('for-empty.jsonl', []);
    const result = await run(['--trail', emptyTrail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toBe(
      `error: No CloudTrail records found in ${emptyTrail}, so nothing was compared.\n`,
    );
  });

  test('missing decisions file is named', async () => {
    const missing = path.join(directory, 'absent-decisions.jsonl');
    const result = await runOnSharedTrail(missing);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toBe(`error: The --decisions file ${missing} does not exist.\n`);
    expect(result.stdout()).toBe('');
  });

  test('--out creates missing folders', async () => {
    const decisions = await decisionsFile('one-only.jsonl', [eventId(1)]);
    const out = path.join(directory, 'new-folder', 'missing.jsonl');
    const result = await runOnSharedTrail(decisions, '--buckets', PHI_BUCKET, '--out', out);

    expect(result.exitCode()).toBe(EVENTS_MISSING_EXIT_CODE);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});

describe('phi-guard reconcile of JSON lines and broken documents', () => {
  const lines = fourRecords().map((record) => JSON.stringify(record));
  const brokenSecondLine = [lines[0], '{"eventID": "broken', lines[1]].join('\n');
  const brokenFirstLine = ['{"eventID": ', lines[0], lines[1]].join('\n');
  const truncated = truncatedLogFile(fourRecords(), 96, 30);

  test.each([
    [
      'broken line',
      'events.jsonl',
      brokenSecondLine,
      2,
      'Line 2 is not valid JSON: Unterminated string at column 20.',
    ],
    [
      'broken first line of a gzipped file',
      'events.jsonl.gz',
      gzipSync(brokenFirstLine),
      1,
      'Line 1 is not valid JSON: Unexpected end of JSON input at column 12.',
    ],
  ])('lists a %s as not compared and exits 2', async (name, fileName, content, position, reason) => {
    const trail = await trailWith(`lines-${name.replace(/ /g, '-')}`, { [fileName]: content });
    const decisions = await decisionsFile(`lines-${position}.jsonl`, [eventId(1), eventId(2)]);

    const result = await run(['--trail', trail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(2);
    expect(result.stdout()).toBe(
      'Expected events: 2\nReceived events: 2\nMissing events: 0\n' +
        'Invalid records not compared: 1 (replay fails them too, so they have no decision)\n' +
        `  ${path.join(trail, fileName)} record ${position}: ${reason}\n`,
    );
    expect(result.stderr()).toBe(
      'warning: 1 invalid record could not be compared, so the comparison is incomplete.\n',
    );
  });

  test('missing events outrank a broken line', async () => {
    const trail = await trailWith('lines-missing', { 'events.jsonl': brokenSecondLine });
    const decisions = await decisionsFile('lines-first-only.jsonl', [eventId(1)]);

    const result = await run(['--trail', trail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(EVENTS_MISSING_EXIT_CODE);
    expect(result.stdout()).toContain(`missing ${eventId(2)}\n`);
    expect(result.stdout()).toContain('Invalid records not compared: 1 ');
  });

  test.each([
    ['plain', 'log.json', truncated],
    ['gzipped', 'log.json.gz', gzipSync(truncated)],
  ])('names a truncated %s file once and exits 1', async (name, fileName, content) => {
    const trail = await trailWith(`truncated-${name}`, {
      [fileName]: content,
      'valid.jsonl': `${lines[0]}\n`,
      'with-broken-line.jsonl': brokenSecondLine,
    });
    const decisions = await decisionsFile(`truncated-${name}.jsonl`, [eventId(1)]);

    const result = await run(['--trail', trail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toBe(
      `error: Invalid CloudTrail file ${path.join(trail, fileName)}: ${TRUNCATED_LOG_FILE_REASON}\n`,
    );
    expect(result.stdout()).toBe('');
  });

  test('lists every truncated file', async () => {
    const trail = await trailWith('truncated-two', {
      'a.json': truncated,
      'b.json.gz': gzipSync(truncated),
      'c.jsonl': brokenSecondLine,
    });
    const decisions = await decisionsFile('truncated-two.jsonl', []);

    const result = await run(['--trail', trail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(1);
    expect(result.stderr()).toBe(
      'error: 2 CloudTrail files are invalid, so nothing was compared. Fix or remove them and run again:\n' +
        `  ${path.join(trail, 'a.json')}: ${TRUNCATED_LOG_FILE_REASON}\n` +
        `  ${path.join(trail, 'b.json.gz')}: ${TRUNCATED_LOG_FILE_REASON}\n`,
    );
  });

  test.each([
    ['a pretty-printed log file', 'log.json', JSON.stringify({ Records: fourRecords() }, null, 2)],
    ['a .jsonl file', 'events.jsonl', `${lines.join('\n')}\n`],
  ])('compares %s', async (_name, fileName, content) => {
    const trail = await trailWith(`valid-${fileName}`, { [fileName]: content });
    const decisions = await decisionsFile(`valid-${fileName}.jsonl`, [1, 2, 3, 4].map(eventId));

    const result = await run(['--trail', trail, '--decisions', decisions]);

    expect(result.exitCode()).toBe(0);
    expect(result.stdout()).toBe('Expected events: 4\nReceived events: 4\nMissing events: 0\n');
  });

  test('lists the lines that replay fails', async () => {
    const trail = await trailWith('replay-then-reconcile', { 'events.jsonl': brokenSecondLine });
    const decisions = path.join(directory, 'replayed.jsonl');
    const replayIo = captureIo();
    const grants = path.join(__dirname, '..', '..', 'samples', 'grants.json');

    const replay = await runReplayCommand([trail], { grants, batchSize: 100, out: decisions }, replayIo.io);
    const result = await run(['--trail', trail, '--decisions', decisions]);

    const failedLine = `  ${path.join(trail, 'events.jsonl')} record 2: Line 2 is not valid JSON: Unterminated string at column 20.\n`;
    expect(replay.exitCode).toBe(2);
    expect(replayIo.stdout()).toContain(failedLine);
    expect(result.exitCode()).toBe(2);
    expect(result.stdout()).toContain('Missing events: 0\n');
    expect(result.stdout()).toContain(failedLine);
  });
});

describe('readTrailRecords', () => {
  test('lists a file that cannot be read', async () => {
    const missing = path.join(directory, 'deleted-after-listing.json');

    await expect(readTrailRecords([missing])).rejects.toThrow(
      `Invalid CloudTrail file ${missing}: Failed to read the file: ENOENT: no such file or directory, open '${missing}'`,
    );
  });
});

/** Escapes a text for use inside a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
