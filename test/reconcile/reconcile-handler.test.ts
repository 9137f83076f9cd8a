/**
 * The reconciliation handler with in-memory ports, because Athena and S3 have no local server here. The
 * ports record the window that the handler chose.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createReconcileHandler } from '../../src/reconcile/reconcile-handler';
import type { ReconcilePorts } from '../../src/reconcile/run-reconciliation';
import type { ReconciliationWindow } from '../../src/reconcile/window';

const CONTEXT = { functionName: 'reconcile', awsRequestId: 'request-1' } as Context;
const RUN_AT = new Date('2025-03-02T03:00:00Z');

function createHandler(windows: ReconciliationWindow[]) {
  const ports: ReconcilePorts = {
    countEvents: async (window) => {
      windows.push(window);
      return { expected: 12, received: 12 };
    },
    findMissing: async () => [],
    readLogFile: async () => [],
    putRecords: async () => undefined,
    readPreviousLine: async () => undefined,
    appendLine: async () => undefined,
  };
  return createReconcileHandler({
    ports,
    monitoredBuckets: new Set(['example-phi-records']),
    maxReinjectedEvents: 10,
    windowHours: 26,
    settleHours: 2,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'PhiGuard', serviceName: 'phi-guard-reconcile' }),
    clock: () => RUN_AT,
  });
}

/** Runs the handler and returns its result and the EMF documents it printed. */
async function run(event: Record<string, string>, windows: ReconciliationWindow[]) {
  const printed: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(chunk.toString());
    return true;
  });
  try {
    const line = await createHandler(windows)(event, CONTEXT);
    const metrics = printed
      .flatMap((text) => text.split('\n'))
      .filter((text) => text.includes('"_aws"'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    return { line, metrics };
  } finally {
    write.mockRestore();
  }
}

describe('reconcile handler', () => {
  test('scheduled run uses the default window', async () => {
    const windows: ReconciliationWindow[] = [];
    const { line, metrics } = await run({}, windows);

    expect(windows[0].start.toISOString()).toBe('2025-02-28T23:00:00.000Z');
    expect(windows[0].end.toISOString()).toBe('2025-03-02T01:00:00.000Z');
    expect(line).toMatchObject({
      expected: 12,
      received: 12,
      reinjected: 0,
      consecutiveRunsWithReinjection: 0,
    });
    const counts = metrics.find((document) => 'ReconciliationExpectedEvents' in document);
    expect(counts).toMatchObject({
      service: 'phi-guard-reconcile',
      ReconciliationExpectedEvents: 12,
      ReconciliationReceivedEvents: 12,
      ReconciliationReinjectedEvents: 0,
      ReconciliationConsecutiveRunsWithReinjection: 0,
    });
  });

  test('manual run uses the given window', async () => {
    const windows: ReconciliationWindow[] = [];
    await run({ windowStart: '2025-02-01T00:00:00Z', windowEnd: '2025-02-03T00:00:00Z' }, windows);

    expect(windows[0].start.toISOString()).toBe('2025-02-01T00:00:00.000Z');
    expect(windows[0].end.toISOString()).toBe('2025-02-03T00:00:00.000Z');
  });

  test('manual run rejects a half window', async () => {
    await expect(run({ windowStart: '2025-02-01T00:00:00Z' }, [])).rejects.toThrow(
      /Invalid reconciliation window/,
    );
  });
});
