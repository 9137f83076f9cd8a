/**
 * The S3 data events that touch objects, the AccessAction each one is, and how to read the bucket and
 * object keys from a CloudTrail record of that event.
 */
import { InvalidRecordError } from './errors';
import { isJsonObject, readObject, readString, type JsonObject } from './json-value';
import type { AccessAction } from './types';

/** Location in the record of the objects that an event touches. */
export type TargetKind =
  /** One object in `requestParameters.key`. */
  | 'object'
  /** The keys listed in `requestParameters.delete.Object` (DeleteObjects). */
  | 'deleted-objects'
  /** The prefix in `requestParameters.prefix`, '' when the whole bucket is listed. */
  | 'listed-prefix';

export interface S3EventSpec {
  readonly action: AccessAction;
  readonly target: TargetKind;
  /** True when the event also reads the object named in `x-amz-copy-source`. */
  readonly readsCopySource?: boolean;
}

const read: S3EventSpec = { action: 'read', target: 'object' };
const write: S3EventSpec = { action: 'write', target: 'object' };
const copy: S3EventSpec = { action: 'write', target: 'object', readsCopySource: true };
const listPrefix: S3EventSpec = { action: 'list', target: 'listed-prefix' };

/** S3 data event names that read, write, delete or list objects. */
export const S3_OBJECT_EVENTS: Readonly<Record<string, S3EventSpec>> = {
  GetObject: read,
  HeadObject: read,
  GetObjectAttributes: read,
  SelectObjectContent: read,
  RestoreObject: read,
  GetObjectAcl: read,
  GetObjectTagging: read,
  GetObjectRetention: read,
  GetObjectLegalHold: read,
  GetObjectTorrent: read,
  PutObject: write,
  CopyObject: copy,
  CreateMultipartUpload: write,
  UploadPart: write,
  UploadPartCopy: copy,
  CompleteMultipartUpload: write,
  AbortMultipartUpload: write,
  PutObjectAcl: write,
  PutObjectTagging: write,
  DeleteObjectTagging: write,
  PutObjectRetention: write,
  PutObjectLegalHold: write,
  DeleteObject: { action: 'delete', target: 'object' },
  DeleteObjects: { action: 'delete', target: 'deleted-objects' },
  ListObjects: listPrefix,
  ListObjectsV2: listPrefix,
  ListObjectVersions: listPrefix,
  ListMultipartUploads: listPrefix,
  // ListParts lists the parts of one upload, so the listed prefix is that object's key.
  ListParts: { action: 'list', target: 'object' },
};

/** S3 event names that read or change buckets or sessions but no object data. */
const BUCKET_LEVEL_EVENT =
  /^(?:(?:Get|Put|Delete|Create|Head)Bucket\w*|ListBuckets|ListBucket[A-Z]\w*|PreflightRequest|CreateSession|(?:Get|Put)ObjectLockConfiguration)$/;

/** True for S3 event names that are known to touch no object, such as GetBucketPolicy or ListBuckets. */
export function isBucketLevelEvent(eventName: string): boolean {
  return BUCKET_LEVEL_EVENT.test(eventName);
}

/** One object (or listed prefix) that a record touches, before the principal and times are attached. */
export interface AccessTarget {
  readonly action: AccessAction;
  readonly bucket: string;
  readonly key: string;
}

/**
 * Reads the accesses that one record of a known event makes: the main target first, then the copy source.
 *
 * NOTE: keys in `requestParameters` and `resources` are used as written, because CloudTrail records them
 * decoded in every record we have seen. Only `x-amz-copy-source`, an HTTP header value, is URL-decoded.
 *
 * @throws InvalidRecordError when the record names no bucket or no object key.
 */
export function extractAccessTargets(
  spec: S3EventSpec,
  record: JsonObject,
  eventId?: string,
): AccessTarget[] {
  const parameters = readObject(record, 'requestParameters');
  const resources = readResourceArns(record);
  const bucket = readString(parameters, 'bucketName') ?? bucketFromResources(resources);
  if (bucket === undefined) {
    throw new InvalidRecordError(
      `${describeRecord(record, eventId)} is missing requestParameters.bucketName.`,
      eventId,
    );
  }

  const keys = readTargetKeys(spec, parameters, resources, bucket);
  if (keys.length === 0) {
    throw new InvalidRecordError(
      `${describeRecord(record, eventId)} names no object key in ${keyFieldOf(spec)}.`,
      eventId,
    );
  }

  const targets = keys.map((key) => ({ action: spec.action, bucket, key }));
  const source = spec.readsCopySource
    ? parseCopySource(readString(parameters, 'x-amz-copy-source'))
    : undefined;
  return source ? [...targets, { action: 'read', ...source }] : targets;
}

function readTargetKeys(
  spec: S3EventSpec,
  parameters: JsonObject | undefined,
  resources: readonly S3Arn[],
  bucket: string,
): string[] {
  if (spec.target === 'listed-prefix') {
    const prefix = parameters?.prefix;
    return [typeof prefix === 'string' ? prefix : ''];
  }

  const objectKeys = resources.flatMap((arn) =>
    arn.bucket === bucket && arn.key !== undefined ? [arn.key] : [],
  );
  const singleKey = readString(parameters, 'key') ?? readString(parameters, 'Key');

  if (spec.target === 'deleted-objects') {
    const deleted = readDeletedKeys(parameters);
    if (deleted.length > 0) return deleted;
    if (objectKeys.length > 0) return objectKeys;
  }

  if (singleKey !== undefined) return [singleKey];
  return objectKeys.slice(0, 1);
}

/** `requestParameters.delete.Object` is an array, or a single object when one key is deleted. */
function readDeletedKeys(parameters: JsonObject | undefined): string[] {
  const objects = readObject(parameters, 'delete')?.Object;
  const list = Array.isArray(objects) ? objects : [objects];
  return list.filter(isJsonObject).flatMap((object) => {
    const key = readString(object, 'Key') ?? readString(object, 'key');
    return key === undefined ? [] : [key];
  });
}

interface S3Arn {
  readonly bucket: string;
  readonly key?: string;
}

/** Reads `resources[].ARN` (or the lowercase `arn` that some hand-written records use) of S3 buckets and objects. */
function readResourceArns(record: JsonObject): S3Arn[] {
  const resources = Array.isArray(record.resources) ? record.resources : [];
  return resources.filter(isJsonObject).flatMap((resource) => {
    const arn = readString(resource, 'ARN') ?? readString(resource, 'arn');
    const match = arn === undefined ? null : /^arn:[\w-]+:s3:::([^/]+)(?:\/([\s\S]+))?$/.exec(arn);
    return match ? [{ bucket: match[1], key: match[2] }] : [];
  });
}

function bucketFromResources(resources: readonly S3Arn[]): string | undefined {
  return (resources.find((arn) => arn.key === undefined) ?? resources[0])?.bucket;
}

/**
 * Parses `x-amz-copy-source`: a URL-encoded `BUCKET/KEY`, optionally with a leading slash and a
 * `?versionId=` suffix.
 *
 * NOTE: a copy source given as an access point ARN keeps the access point ARN as its bucket, so it never
 * matches a monitored bucket name.
 */
export function parseCopySource(copySource: string | undefined): { bucket: string; key: string } | undefined {
  if (copySource === undefined) return undefined;

  // The header is URL-encoded, so a literal '?' in a key arrives as %3F and a raw '?' starts the query.
  const withoutQuery = copySource.split('?')[0];
  const path = decodeUrlComponent(withoutQuery).replace(/^\//, '');
  const accessPoint = /^(arn:[^/]+:accesspoint\/[^/]+)\/object\/([\s\S]+)$/.exec(path);
  if (accessPoint) return { bucket: accessPoint[1], key: accessPoint[2] };

  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

/** Decodes percent-encoding. Text that contains a malformed escape, such as `100%.txt`, is returned unchanged. */
function decodeUrlComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function keyFieldOf(spec: S3EventSpec): string {
  return spec.target === 'deleted-objects'
    ? 'requestParameters.delete.Object, resources or requestParameters.key'
    : 'requestParameters.key or resources';
}

function describeRecord(record: JsonObject, eventId: string | undefined): string {
  const name = readString(record, 'eventName') ?? 'record';
  return eventId === undefined ? `${name} record` : `${name} record ${eventId}`;
}
