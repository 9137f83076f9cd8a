import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseCloudTrailText } from '../../domain/cloudtrail-input';
import { lastReportLine, previousReportKey, reportKey, type ReconciliationReportLine } from '../report';

/** Splits an `s3://bucket/key` URI, as Athena's `"$path"` returns it. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) {
    throw new Error(`Invalid S3 URI "${uri}": expected s3://BUCKET/KEY.`);
  }
  return { bucket: match[1], key: match[2] };
}

/** Reads the CloudTrail records of one log file (gzipped JSON, as CloudTrail delivers it). */
export async function readTrailLogFile(client: S3Client, uri: string): Promise<unknown[]> {
  const { bucket, key } = parseS3Uri(uri);
  const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (output.Body === undefined) {
    throw new Error(`CloudTrail log file ${uri} has no body.`);
  }
  return parseCloudTrailText(await output.Body.transformToByteArray());
}

/**
 * Appends report lines to the month's report object in the evidence bucket. S3 objects cannot be
 * appended to, so each run writes the month's object again; Object Lock keeps every earlier version.
 */
export class ReportStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** Returns the last line of this month's report, or of last month's when this month has none. */
  async readPreviousLine(runAt: Date): Promise<ReconciliationReportLine | undefined> {
    const current = await this.readText(reportKey(runAt));
    const line = current === undefined ? undefined : lastReportLine(current);
    if (line !== undefined) return line;

    const previous = await this.readText(previousReportKey(runAt));
    return previous === undefined ? undefined : lastReportLine(previous);
  }

  async appendLine(line: ReconciliationReportLine): Promise<void> {
    const key = reportKey(new Date(line.runAt));
    const existing = (await this.readText(key)) ?? '';
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${existing}${JSON.stringify(line)}\n`,
        ContentType: 'application/x-ndjson',
      }),
    );
  }

  private async readText(key: string): Promise<string | undefined> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await output.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}
