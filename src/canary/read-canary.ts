import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { CANARY_OBJECT_CONTENT } from './canary-grant';
import { CANARY_METRICS, type CanaryRole } from './metrics';

export { CANARY_METRICS, type CanaryRole };

export interface CanarySettings {
  /** `CANARY_BUCKET`. */
  readonly bucket: string;
  /** `CANARY_KEY`. */
  readonly key: string;
  /** `CANARY_ROLE`. */
  readonly role: CanaryRole;
}

/** Result of one canary read. A failed read names the S3 error; nothing of the object is returned. */
export type CanaryReadResult =
  | { readonly role: CanaryRole; readonly status: 'read'; readonly bytes: number }
  | { readonly role: CanaryRole; readonly status: 'failed'; readonly error: string };

/**
 * Reads and validates the canary settings.
 * @throws Error naming every missing or invalid variable.
 */
export function readCanarySettings(env: Readonly<Record<string, string | undefined>>): CanarySettings {
  const bucket = env.CANARY_BUCKET?.trim() ?? '';
  const key = env.CANARY_KEY?.trim() ?? '';
  const role = env.CANARY_ROLE?.trim();
  const problems = [
    bucket === '' ? 'CANARY_BUCKET is missing.' : '',
    key === '' ? 'CANARY_KEY is missing.' : '',
    role === 'granted' || role === 'ungranted'
      ? ''
      : `CANARY_ROLE must be granted or ungranted, got "${role ?? ''}".`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`Invalid canary configuration: ${problems.join(' ')}`);
  }
  return { bucket, key, role: role as CanaryRole };
}

/**
 * Reads the synthetic object once with the function's own credentials, which are the canary role's.
 * S3 errors and unexpected content are returned as a failed read, because reporting them is the
 * canary's job; the next scheduled run tries again.
 */
export async function readCanaryObject(s3: S3Client, settings: CanarySettings): Promise<CanaryReadResult> {
  try {
    const output = await s3.send(new GetObjectCommand({ Bucket: settings.bucket, Key: settings.key }));
    const body = (await output.Body?.transformToString('utf8')) ?? '';
    if (body !== CANARY_OBJECT_CONTENT) {
      return {
        role: settings.role,
        status: 'failed',
        error: `unexpected content of ${body.length} characters`,
      };
    }
    return { role: settings.role, status: 'read', bytes: Buffer.byteLength(body) };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'UnknownError';
    return { role: settings.role, status: 'failed', error: `${name}: ${errorMessage(error)}` };
  }
}

export interface CanaryHandlerDependencies {
  readonly s3: S3Client;
  readonly settings: CanarySettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Creates the scheduled canary handler: one read, one metric per outcome, one log line. */
export function createCanaryHandler(dependencies: CanaryHandlerDependencies) {
  const { logger, metrics, settings } = dependencies;
  const handleRun = async (): Promise<CanaryReadResult> => {
    const result = await readCanaryObject(dependencies.s3, settings);
    metrics.addDimension(CANARY_METRICS.roleDimension, settings.role);
    metrics.addMetric(CANARY_METRICS.reads, MetricUnit.Count, 1);
    metrics.addMetric(CANARY_METRICS.readFailures, MetricUnit.Count, result.status === 'failed' ? 1 : 0);
    if (result.status === 'failed') {
      logger.error('Canary read failed', {
        canaryRole: settings.role,
        bucket: settings.bucket,
        error: result.error,
      });
    } else {
      logger.info('Canary read succeeded', { canaryRole: settings.role, bucket: settings.bucket });
    }
    return result;
  };

  return middy(handleRun)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
