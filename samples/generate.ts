/**
 * Writes the demo's sample data: samples/grants.json, samples/grants.csv and samples/cloudtrail/, and a
 * malformed record in samples/malformed/, which the demo leaves out so that it exits 0.
 * The output is deterministic (seeded), so running it again changes nothing.
 *
 *   npx tsx samples/generate.ts
 *
 * It prints the outcome that each record is expected to get, which test/cli asserts against replay.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { format } from 'prettier';
import { formatGrantsCsv } from './generator/grants-csv';
import { GRANTS } from './generator/grants';
import { auditors, macie, malformed, partnerLab, researcher, root } from './generator/outsiders';
import { Random } from './generator/random';
import { eventBridgeEnvelope, HOSPITAL_ACCOUNT, REGION } from './generator/records';
import { SampleRecord, Scenario } from './generator/scenario';
import { analytics, clinicianPortal, retention } from './generator/applications';
import { breakGlass, contractor, formerEmployee, webTeam } from './generator/staff';

const SAMPLES = __dirname;
const CLOUDTRAIL = join(SAMPLES, 'cloudtrail');
const TRAIL_FOLDER = join(CLOUDTRAIL, 'AWSLogs', HOSPITAL_ACCOUNT, 'CloudTrail', REGION, '2025', '03', '14');
/** CloudTrail delivers a log file every few minutes, but the samples group three hours into one file. */
const HOURS_PER_LOG_FILE = 3;

async function main(): Promise<void> {
  const day = new Scenario(new Random(20250314));
  for (const actor of [
    clinicianPortal,
    analytics,
    retention,
    breakGlass,
    contractor,
    formerEmployee,
    webTeam,
    macie,
    root,
  ]) {
    actor(day);
  }
  for (const actor of [partnerLab, researcher, auditors, malformed]) {
    actor(day);
  }

  rmSync(CLOUDTRAIL, { recursive: true, force: true });
  writeTrailLogFiles(day);
  await writeEventBridgeFile(day);
  writeJsonLinesFile(sortByTime(day.records.filter((item) => item.channel === 'jsonl')));
  writeMalformedFile(day.records.filter((item) => item.channel === 'malformed'));
  writeFileSync(join(SAMPLES, 'grants.json'), await formatJson(GRANTS));
  writeFileSync(join(SAMPLES, 'grants.csv'), formatGrantsCsv(GRANTS));
  printExpectedOutcomes(day.records);
}

function writeTrailLogFiles(day: Scenario): void {
  mkdirSync(TRAIL_FOLDER, { recursive: true });
  const trailRecords = sortByTime(day.records.filter((item) => item.channel === 'trail'));
  for (let hour = 0; hour < 24; hour += HOURS_PER_LOG_FILE) {
    const inWindow = trailRecords.filter(
      (item) => hourOf(item) >= hour && hourOf(item) < hour + HOURS_PER_LOG_FILE,
    );
    if (inWindow.length === 0) {
      continue;
    }
    const deliveredAt = `20250314T${String(hour + HOURS_PER_LOG_FILE).padStart(2, '0')}00Z`.replace(
      'T2400Z',
      'T2359Z',
    );
    const name = `${HOSPITAL_ACCOUNT}_CloudTrail_${REGION}_${deliveredAt}_${day.random.base64(16).replace(/[+/]/g, 'x')}.json.gz`;
    const body = JSON.stringify({ Records: inWindow.map((item) => item.record) });
    writeFileSync(join(TRAIL_FOLDER, name), gzipSync(body));
  }
}

async function writeEventBridgeFile(day: Scenario): Promise<void> {
  const folder = join(CLOUDTRAIL, 'eventbridge');
  mkdirSync(folder, { recursive: true });
  const events = sortByTime(day.records.filter((item) => item.channel === 'eventbridge'));
  const envelopes = events.map((item) => eventBridgeEnvelope(day.random, item.record));
  writeFileSync(
    join(folder, 'partner-lab-events-2025-03-14.json'),
    JSON.stringify(envelopes, null, 2) + '\n',
  );
}

function writeJsonLinesFile(records: SampleRecord[]): void {
  const folder = join(CLOUDTRAIL, 'jsonl');
  mkdirSync(folder, { recursive: true });
  const lines = records.map((item) => JSON.stringify(item.record));
  writeFileSync(join(folder, 'identity-center-2025-03-14.jsonl'), lines.join('\n') + '\n');
}

function writeMalformedFile(records: SampleRecord[]): void {
  const folder = join(SAMPLES, 'malformed');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const lines = records.map((item) => JSON.stringify(item.record));
  writeFileSync(join(folder, 'truncated-record.jsonl'), lines.join('\n') + '\n');
}

/** Formats JSON as Prettier does, so that the repository's format check passes on the generated files. */
async function formatJson(value: unknown): Promise<string> {
  return format(JSON.stringify(value), { parser: 'json' });
}

function sortByTime(records: SampleRecord[]): SampleRecord[] {
  return [...records].sort((a, b) => String(a.record.eventTime).localeCompare(String(b.record.eventTime)));
}

function hourOf(item: SampleRecord): number {
  return new Date(String(item.record.eventTime)).getUTCHours();
}

function printExpectedOutcomes(records: SampleRecord[]): void {
  const byOutcome = new Map<string, number>();
  const byActor = new Map<string, Map<string, number>>();
  for (const item of records) {
    const count = item.decisions === 0 ? 1 : item.decisions;
    byOutcome.set(item.outcome, (byOutcome.get(item.outcome) ?? 0) + count);
    const actor = byActor.get(item.actor) ?? new Map<string, number>();
    actor.set(item.outcome, (actor.get(item.outcome) ?? 0) + count);
    byActor.set(item.actor, actor);
  }
  console.log(`records: ${records.length}`);
  console.log('decisions (skipped and failed count records):', Object.fromEntries(byOutcome));
  for (const [actor, counts] of byActor) {
    console.log(`  ${actor}:`, Object.fromEntries(counts));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
