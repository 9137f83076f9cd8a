/**
 * Identifiers derived from principals, windows, objects and decisions. Pure: no AWS imports.
 */
import { createHash } from 'node:crypto';
import type { IncidentKind } from './types';
import { keyPrefix as domainKeyPrefix } from '../domain/key-prefix';

/** Bytes of a `shortHash` token, as incident items store it. */
export const SHORT_HASH_BYTES = 8;
/** Length of `shortHash` tokens: 8 bytes of SHA-256 in unpadded base64url. */
export const SHORT_HASH_LENGTH = 11;

/**
 * Returns the first 8 bytes of the SHA-256 of `text` as 11 base64url characters. Incidents track decisions
 * and objects by these tokens to stay within the DynamoDB item size limit. With 64 bits, the chance that two
 * of 30,000 tokens collide is below 1 in 10^10.
 */
export function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest().subarray(0, 8).toString('base64url');
}

/**
 * Derives the incident id from the principal key, the incident kind and the window start, so that every
 * retry of the execution that opened the window gets the same id. The id is a valid Step Functions
 * execution name: at most 80 characters of letters, digits, `-` and `_`.
 * @example createIncidentId('arn:aws:iam::111122223333:user/alice', 'violation', new Date('2025-03-01T10:15:00Z'))
 * // 'inc-20250301T101500Z-' followed by 24 hex digits
 */
export function createIncidentId(principalKey: string, kind: IncidentKind, windowStart: Date): string {
  const start = windowStart.toISOString();
  const digest = createHash('sha256').update(`${principalKey}\n${kind}\n${start}`, 'utf8').digest('hex');
  const compactStart = start.replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

  return `inc-${compactStart}-${digest.slice(0, 24)}`;
}

/**
 * Returns `bucket/` followed by at most the first two folder segments of the key, as decisions carry it.
 * For list actions the key is the listed prefix, and only its complete folders count. Alerts show only
 * the first folder, because deeper folders can name a patient.
 */
export function keyPrefix(bucket: string, key: string): string {
  return domainKeyPrefix(bucket, key, 2);
}
