/**
 * The validator's outbound ports as `replay` implements them. Decisions go to a tally and, with `--out`,
 * to a JSON lines file. Triage inputs are collected instead of starting workflows.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Decision, TriageInput } from '../../domain/types';
import type { DecisionPublisher, TriageStartOutcome, TriageStarter } from '../../validator/ports';
import type { ReplayTally } from './replay-tally';

/** Writes one JSON document per line, waiting whenever the stream's buffer is full. */
export class JsonLinesWriter {
  private constructor(private readonly stream: WriteStream) {}

  /** Creates (or truncates) the file, creating missing parent folders. */
  static async open(path: string): Promise<JsonLinesWriter> {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(path, { encoding: 'utf8' });
    await once(stream, 'open');
    return new JsonLinesWriter(stream);
  }

  async write(documents: readonly unknown[]): Promise<void> {
    for (const document of documents) {
      if (!this.stream.write(`${JSON.stringify(document)}\n`)) {
        await once(this.stream, 'drain');
      }
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

/** Counts every published decision and writes it to the `--out` file when there is one. */
export class ReplayDecisionPublisher implements DecisionPublisher {
  constructor(
    private readonly tally: ReplayTally,
    private readonly out: JsonLinesWriter | undefined,
  ) {}

  async publish(decisions: readonly Decision[]): Promise<void> {
    await this.out?.write(decisions);
    this.tally.addDecisions(decisions);
  }
}

/** Keeps the triage inputs that the deployed validator would send to the triage workflow. */
export class CollectingTriageStarter implements TriageStarter {
  readonly inputs: TriageInput[] = [];

  async start(inputs: readonly TriageInput[]): Promise<TriageStartOutcome[]> {
    this.inputs.push(...inputs);
    return inputs.map((input) => ({
      principalKey: input.principal.key,
      status: 'started',
      executionArns: [],
    }));
  }
}
