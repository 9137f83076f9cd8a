/**
 * The selection of the EventBridge rules that feed the stream, applied to raw CloudTrail records, so
 * that reconciliation expects exactly the events the rules would have sent. Pure: no AWS imports.
 */
import { isJsonObject, readObject, readString, type JsonObject } from '../domain/json-value';

/** EventBridge gives the source `aws.s3` to CloudTrail events of this event source only. */
const RULE_EVENT_SOURCE = 's3.amazonaws.com';

/** The buckets whose events count; undefined means every bucket. */
export type MonitoredBuckets = ReadonlySet<string> | undefined;

/**
 * Returns true when the ingestion rules select the record: an S3 data event whose request names a
 * monitored bucket, or whose resources include an object of one (a copy whose source is PHI).
 */
export function isSelectedByRule(record: unknown, monitoredBuckets: MonitoredBuckets): record is JsonObject {
  if (!isJsonObject(record)) return false;
  if (readString(record, 'eventSource') !== RULE_EVENT_SOURCE) return false;
  if (record.eventCategory !== 'Data') return false;
  if (monitoredBuckets === undefined) return true;

  const requestBucket = readString(readObject(record, 'requestParameters'), 'bucketName');
  if (requestBucket !== undefined && monitoredBuckets.has(requestBucket)) return true;

  return resourceBuckets(record).some((bucket) => monitoredBuckets.has(bucket));
}

/** Bucket names of the object ARNs (`arn:PARTITION:s3:::BUCKET/KEY`) in `resources`. */
function resourceBuckets(record: JsonObject): string[] {
  const resources = Array.isArray(record.resources) ? record.resources : [];
  return resources.flatMap((resource: unknown) => {
    const arn = isJsonObject(resource) ? readString(resource, 'ARN') : undefined;
    const match = arn === undefined ? null : /^arn:[^:]+:s3:::([^/]+)\//.exec(arn);
    return match ? [match[1]] : [];
  });
}
