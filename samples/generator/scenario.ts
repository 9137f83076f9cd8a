/**
 * One invented day (2025-03-14, UTC) of PHI access at the fictitious hospital "Example Health": who
 * touches which objects, when, and the decision that each access is expected to get with the grants
 * in samples/grants.json.
 */
import type { DecisionType } from '../../src/domain/types';
import { DataEventSpec, dataEvent } from './records';
import { Random } from './random';

/**
 * The file family a record goes to: gzipped CloudTrail log files, EventBridge envelopes, JSON lines, or
 * the separate folder of malformed records that the demo leaves out.
 */
export type Channel = 'trail' | 'eventbridge' | 'jsonl' | 'malformed';

/** Expected replay result for a record: a decision type, a skip, or a failure. */
export type Outcome = DecisionType | 'skipped' | 'failed';

export interface SampleRecord {
  readonly channel: Channel;
  readonly record: Record<string, unknown>;
  readonly outcome: Outcome;
  /** Decisions the record yields: 0 when skipped or failed, several for DeleteObjects and CopyObject. */
  readonly decisions: number;
  /** Short label of the actor, for the generator's own summary. */
  readonly actor: string;
}

export const PHI_RECORDS = 'examplehealth-phi-records';
export const PHI_IMAGING = 'examplehealth-phi-imaging';
export const WEB_ASSETS = 'examplehealth-web-assets';
export const DAY = '2025-03-14';

export const USER_AGENTS = {
  javaSdk:
    'aws-sdk-java/2.25.60 Linux/6.1.84 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS java/21.0.3 vendor/Amazon.com_Inc.',
  python: 'Boto3/1.34.120 md/Botocore#1.34.120 ua/2.0 os/linux#6.1.84 lang/python#3.12.3 exec-env/AWS_Lambda',
  cli: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/installer#exe',
  console:
    '[Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36]',
  spark:
    'aws-sdk-java/1.12.730 Linux/5.10.219 OpenJDK_64-Bit_Server_VM/17.0.11 java/17.0.11 scala/2.12.18 vendor/Amazon',
  macie: 'AWS Internal',
} as const;

/** Collects the day's records in the order they are generated. */
export class Scenario {
  readonly records: SampleRecord[] = [];

  constructor(readonly random: Random) {}

  /** Adds one data event with its expected outcome. */
  add(channel: Channel, actor: string, outcome: Outcome, spec: DataEventSpec): void {
    const decisions = decisionCount(spec, outcome);
    this.records.push({ channel, actor, outcome, decisions, record: dataEvent(this.random, spec) });
  }

  /** Adds a record that is not a data event (a management event or a malformed record). */
  addOther(
    channel: Channel,
    actor: string,
    outcome: 'skipped' | 'failed',
    record: Record<string, unknown>,
  ): void {
    this.records.push({ channel, actor, outcome, decisions: 0, record });
  }

  /** Returns `count` sorted times between two hours of the day (hours may have fractions). */
  times(fromHour: number, toHour: number, count: number): Date[] {
    const start = Date.parse(`${DAY}T00:00:00Z`) + fromHour * 3_600_000;
    const span = (toHour - fromHour) * 3_600_000;
    const offsets = Array.from(
      { length: count },
      () => Math.floor((this.random.next() * span) / 1000) * 1000,
    );
    return offsets.sort((a, b) => a - b).map((offset) => new Date(start + offset));
  }

  /** Returns the time at HH:MM:SS of the day. */
  at(clock: string): Date {
    return new Date(`${DAY}T${clock}Z`);
  }

  /** Returns an invented medical record number, the kind of patient identifier that keys hold. */
  mrn(): string {
    return `MRN-${String(this.random.integer(10_000_000, 99_999_999))}`;
  }
}

function decisionCount(spec: DataEventSpec, outcome: Outcome): number {
  if (outcome === 'skipped' || outcome === 'failed') {
    return 0;
  }
  if (spec.deleteKeys) {
    return spec.deleteKeys.length;
  }
  return spec.copySource ? 2 : 1;
}
