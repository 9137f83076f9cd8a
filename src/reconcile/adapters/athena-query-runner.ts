import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import type { ParameterizedQuery } from '../queries';

export interface AthenaQueryRunnerOptions {
  readonly client: AthenaClient;
  /** Workgroup whose enforced settings give the result location and encryption. */
  readonly workGroup: string;
  /** Time after which a query is stopped and the run fails. */
  readonly timeoutMs: number;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
}

/** A query ended in a state other than SUCCEEDED, or ran past its timeout and was stopped. */
export class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly queryExecutionId: string,
  ) {
    super(message);
    this.name = 'AthenaQueryError';
  }
}

/** Runs parameterized queries in one workgroup and returns their rows as string arrays without the header. */
export class AthenaQueryRunner {
  constructor(private readonly options: AthenaQueryRunnerOptions) {}

  async run(query: ParameterizedQuery): Promise<string[][]> {
    const started = await this.options.client.send(
      new StartQueryExecutionCommand({
        QueryString: query.sql,
        ExecutionParameters: [...query.parameters],
        WorkGroup: this.options.workGroup,
      }),
    );
    const queryExecutionId = started.QueryExecutionId;
    if (queryExecutionId === undefined) {
      throw new Error('Athena StartQueryExecution returned no QueryExecutionId.');
    }
    await this.waitForSuccess(queryExecutionId);
    return this.readRows(queryExecutionId);
  }

  private async waitForSuccess(queryExecutionId: string): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      const output = await this.options.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }),
      );
      const status = output.QueryExecution?.Status;
      if (status?.State === 'SUCCEEDED') return;
      if (status?.State === 'FAILED' || status?.State === 'CANCELLED') {
        throw new AthenaQueryError(
          `Athena query ${queryExecutionId} ended ${status.State}: ${status.StateChangeReason ?? 'no reason given'}.`,
          queryExecutionId,
        );
      }
      if (Date.now() >= deadline) {
        await this.options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId }));
        throw new AthenaQueryError(
          `Athena query ${queryExecutionId} timed out after ${this.options.timeoutMs} ms and was stopped.`,
          queryExecutionId,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 2000));
    }
  }

  private async readRows(queryExecutionId: string): Promise<string[][]> {
    const rows: string[][] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await this.options.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: nextToken }),
      );
      const pageRows = page.ResultSet?.Rows ?? [];
      // The first row of the first page contains the column names.
      for (const row of first ? pageRows.slice(1) : pageRows) {
        rows.push((row.Data ?? []).map((datum) => datum.VarCharValue ?? ''));
      }
      first = false;
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return rows;
  }
}
