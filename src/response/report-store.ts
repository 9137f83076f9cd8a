/**
 * Report stores: the Object Lock evidence bucket in AWS, or a directory for local replays.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

export const OBJECT_LOCK_MODES: readonly ObjectLockMode[] = ['COMPLIANCE', 'GOVERNANCE'];

/** The two files of one report and how long they must be retained. */
export interface ReportFiles {
  readonly jsonKey: string;
  readonly markdownKey: string;
  readonly json: string;
  readonly markdown: string;
  readonly retainUntil: Date;
}

export interface ReportStore {
  /** Bucket name, or the directory of the filesystem store, reported as `ReportLocation.bucket`. */
  readonly location: string;
  /** Writes both files. Writing the same files again is allowed, and a versioned bucket keeps both versions. */
  write(files: ReportFiles): Promise<void>;
}

/**
 * Writes reports to an S3 bucket with Object Lock. Each PutObject carries the retention mode and date and
 * a SHA-256 checksum: S3 rejects uploads with a retention period unless they carry Content-MD5 or an
 * x-amz-checksum header, and the checksum lets S3 verify the bytes.
 */
export class S3ReportStore implements ReportStore {
  constructor(
    private readonly client: S3Client,
    readonly location: string,
    private readonly lockMode: ObjectLockMode,
  ) {}

  async write(files: ReportFiles): Promise<void> {
    await this.put(files.jsonKey, files.json, 'application/json', files.retainUntil);
    await this.put(files.markdownKey, files.markdown, 'text/markdown; charset=utf-8', files.retainUntil);
  }

  private async put(key: string, body: string, contentType: string, retainUntil: Date): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.location,
        Key: key,
        Body: body,
        ContentType: contentType,
        ChecksumSHA256: sha256Base64(body),
        ObjectLockMode: this.lockMode,
        ObjectLockRetainUntilDate: retainUntil,
      }),
    );
  }
}

/** Retention record that the filesystem store writes beside each report, in place of a bucket's Object Lock. */
export interface RetentionRecord {
  readonly objectLockMode: ObjectLockMode;
  readonly retainUntil: string;
  /** Base64 SHA-256 of each file, as the S3 store would send in `x-amz-checksum-sha256`. */
  readonly checksumSha256: Readonly<Record<string, string>>;
}

/**
 * Writes reports under a local directory with the same keys as the bucket, for `phi-guard replay --reports`.
 * Files are not locked, so `INCIDENT_ID.retention.json` beside them records the retention a bucket would set.
 */
export class FileSystemReportStore implements ReportStore {
  constructor(
    readonly location: string,
    private readonly lockMode: ObjectLockMode,
  ) {}

  async write(files: ReportFiles): Promise<void> {
    const record: RetentionRecord = {
      objectLockMode: this.lockMode,
      retainUntil: files.retainUntil.toISOString(),
      checksumSha256: {
        [files.jsonKey]: sha256Base64(files.json),
        [files.markdownKey]: sha256Base64(files.markdown),
      },
    };

    await this.writeFile(files.jsonKey, files.json);
    await this.writeFile(files.markdownKey, files.markdown);
    await this.writeFile(retentionRecordKey(files.jsonKey), `${JSON.stringify(record, null, 2)}\n`);
  }

  private async writeFile(key: string, text: string): Promise<void> {
    const file = path.join(this.location, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text, 'utf8');
  }
}

/** Key of the retention record that the filesystem store writes beside a report's JSON file. */
export function retentionRecordKey(jsonKey: string): string {
  return jsonKey.replace(/\.json$/, '.retention.json');
}

/** Parses an Object Lock mode such as the `OBJECT_LOCK_MODE` environment variable. */
export function parseObjectLockMode(text: string | undefined): ObjectLockMode {
  const mode = text?.trim().toUpperCase();
  if (mode === 'COMPLIANCE' || mode === 'GOVERNANCE') return mode;
  throw new Error(`Invalid Object Lock mode ${JSON.stringify(text)}; expected COMPLIANCE or GOVERNANCE.`);
}

/** Returns the SHA-256 of the UTF-8 text in base64, the form of the `ChecksumSHA256` parameter. */
export function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
