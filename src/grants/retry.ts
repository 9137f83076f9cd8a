/** Retry and concurrency helpers for the DynamoDB, Firehose and Step Functions adapters. */

/** How often and how fast an adapter retries items that a service returned as unprocessed. */
export interface RetryOptions {
  /** Total number of calls, including the first. @default 5 */
  readonly maxAttempts?: number;
  /** Upper bound of the first backoff delay, in milliseconds; it doubles per attempt. @default 50 */
  readonly baseDelayMs?: number;
  /** Upper bound of any backoff delay, in milliseconds. @default 2000 */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2000 };

/** Returns a delay with "full jitter": uniform between 0 and min(maxDelayMs, baseDelayMs * 2^(attempt-1)). */
export function backoffDelayMs(attempt: number, options: Required<RetryOptions>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(Math.random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `task` on every item with at most `limit` tasks in flight and returns the results in input order.
 * A rejected task rejects the whole call, so tasks that must not fail together catch their own errors.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, () => worker());
  await Promise.all(workers);
  return results;
}
