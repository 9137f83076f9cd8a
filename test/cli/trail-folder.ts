/**
 * Writes a CloudTrail delivery folder as a trail bucket contains it: log files under `CloudTrail/`, digest
 * files under `CloudTrail-Digest/` and Insights events under `CloudTrail-Insight/`. The digest and
 * Insights files follow the shapes of the CloudTrail User Guide ("CloudTrail digest file structure",
 * "CloudTrail record contents for Insights events for trails") with invented values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ACCOUNT_ID } from '../support/cloudtrail-records';

const REGION = 'us-east-1';
const DAY = ['2025', '03', '14'];

/** The paths that `writeTrailFolder` wrote, each below `root`. */
export interface TrailFolder {
  readonly root: string;
  readonly logFile: string;
  readonly digestFile: string;
  readonly insightFile: string;
}

/** Writes one gzipped log file with `records`, one digest file and one Insights file under `root/AWSLogs`. */
export function writeTrailFolder(root: string, records: readonly unknown[]): TrailFolder {
  const logFile = writeGzipped(
    folderOf(root, 'CloudTrail'),
    `${ACCOUNT_ID}_CloudTrail_${REGION}_20250314T0100Z_x7Qm2LpR9sKd4VbN.json.gz`,
    { Records: records },
  );
  const digestFile = writeGzipped(
    folderOf(root, 'CloudTrail-Digest'),
    `${ACCOUNT_ID}_CloudTrail-Digest_${REGION}_phi-trail_${REGION}_20250314T020000Z.json.gz`,
    digestDocument(logFile.slice(root.length + 1)),
  );
  const insightFile = writeGzipped(
    folderOf(root, 'CloudTrail-Insight'),
    `${ACCOUNT_ID}_CloudTrail-Insight_${REGION}_20250314T0115Z_Hd8sPq3ZkW1mT6yC.json.gz`,
    { Records: [insightRecord()] },
  );
  return { root, logFile, digestFile, insightFile };
}

function folderOf(root: string, kind: string): string {
  const folder = join(root, 'AWSLogs', ACCOUNT_ID, kind, REGION, ...DAY);
  mkdirSync(folder, { recursive: true });
  return folder;
}

function writeGzipped(folder: string, name: string, document: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, gzipSync(JSON.stringify(document)));
  return path;
}

/** Returns a digest file: the hashes of the log files delivered in one hour and the previous digest's signature. */
function digestDocument(logObjectKey: string): Record<string, unknown> {
  return {
    awsAccountId: ACCOUNT_ID,
    digestStartTime: '2025-03-14T01:00:00Z',
    digestEndTime: '2025-03-14T02:00:00Z',
    digestS3Bucket: 'example-trail-bucket',
    digestS3Object: `AWSLogs/${ACCOUNT_ID}/CloudTrail-Digest/${REGION}/2025/03/14/${ACCOUNT_ID}_CloudTrail-Digest_${REGION}_phi-trail_${REGION}_20250314T020000Z.json.gz`,
    digestPublicKeyFingerprint: '5f0c2a9e4b7d1c83a6e9f2b4d8c1a7e3',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: '2025-03-14T01:12:40Z',
    oldestEventTime: '2025-03-14T01:02:05Z',
    previousDigestS3Bucket: 'example-trail-bucket',
    previousDigestS3Object: `AWSLogs/${ACCOUNT_ID}/CloudTrail-Digest/${REGION}/2025/03/14/${ACCOUNT_ID}_CloudTrail-Digest_${REGION}_phi-trail_${REGION}_20250314T010000Z.json.gz`,
    previousDigestHashValue: '3b9d7e1f0a4c6e8b2d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b',
    previousDigestHashAlgorithm: 'SHA-256',
    previousDigestSignature: '8e2c4a6b0d1f3e5a7c9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c',
    logFiles: [
      {
        s3Bucket: 'example-trail-bucket',
        s3Object: logObjectKey,
        hashValue: '9c1e3a5b7d9f2b4d6f8a0c2e4b6d8f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d',
        hashAlgorithm: 'SHA-256',
        newestEventTime: '2025-03-14T01:12:40Z',
        oldestEventTime: '2025-03-14T01:02:05Z',
      },
    ],
  };
}

/** Returns an Insights event: an unusual rate of S3 calls, with the API name inside `insightDetails`. */
function insightRecord(): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventTime: '2025-03-14T01:15:00Z',
    awsRegion: REGION,
    eventID: 'a4f1c2d3-5b6e-4f70-8a9b-0c1d2e3f4a5b',
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: ACCOUNT_ID,
    sharedEventID: 'b5e2d3c4-6a7f-4b81-9c0d-1e2f3a4b5c6d',
    insightDetails: {
      state: 'Start',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      insightType: 'ApiCallRateInsight',
      insightContext: {
        statistics: { baseline: { average: 0.4 }, insight: { average: 12.5 } },
      },
    },
    eventCategory: 'Insight',
  };
}
