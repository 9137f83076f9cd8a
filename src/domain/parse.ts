/**
 * Turns one CloudTrail record into the object accesses it makes, or into the reason it was skipped.
 */
import { InvalidRecordError } from './errors';
import { normalizeIdentity } from './identity';
import { parseIsoTime } from './iso-time';
import { describeJsonValue, isJsonObject, readString, type JsonObject } from './json-value';
import { extractAccessTargets, isBucketLevelEvent, S3_OBJECT_EVENTS, type AccessTarget } from './s3-events';
import type { ObjectAccess, ParsedRecord, Principal, SkipReason } from './types';

/** Event sources of S3 general purpose buckets, S3 on Outposts and S3 Express One Zone directory buckets. */
export const S3_EVENT_SOURCES: ReadonlySet<string> = new Set([
  's3.amazonaws.com',
  's3-outposts.amazonaws.com',
  's3express.amazonaws.com',
]);

/**
 * Parses one CloudTrail record.
 *
 * Returns `accesses` (one per object, listed prefix or copy source) for S3 object data events, and
 * `skipped` with a reason for management events, network activity events, other services' events and
 * event names that touch no object.
 *
 * @throws InvalidRecordError when the record is not an object or lacks eventName, eventID, eventTime,
 *   userIdentity, the bucket or the object key. The message names the field and the event id when known.
 */
export function parseRecord(record: unknown): ParsedRecord {
  if (!isJsonObject(record)) {
    throw new InvalidRecordError(`The CloudTrail record is ${describeJsonValue(record)}, not a JSON object.`);
  }

  const eventId = readString(record, 'eventID');
  const eventName = requireString(record, 'eventName', eventId);
  const skip = findSkipReason(record, eventName);
  if (skip) return { status: 'skipped', eventName, ...(eventId ? { eventId } : {}), ...skip };

  if (eventId === undefined) throw missingField('eventID', eventName, undefined);
  const eventTime = requireEventTime(record, eventId);
  if (!isJsonObject(record.userIdentity)) throw missingField('userIdentity', eventName, eventId);

  const recipientAccountId = readString(record, 'recipientAccountId');
  const principal = normalizeIdentity(record.userIdentity, recipientAccountId);
  const targets = extractAccessTargets(S3_OBJECT_EVENTS[eventName], record, eventId);
  const accesses = targets.map((target, index) =>
    buildAccess(record, { eventId, eventTime, eventName, principal, index, target }),
  );

  return { status: 'accesses', eventId, accesses };
}

type Skip = { reason: SkipReason; detail: string };

function findSkipReason(record: JsonObject, eventName: string): Skip | undefined {
  const source = readString(record, 'eventSource');
  if (source === undefined || !S3_EVENT_SOURCES.has(source)) {
    return {
      reason: 'not-s3',
      detail: `${eventName} comes from ${source ?? 'an unknown event source'}, not from S3.`,
    };
  }

  if (record.eventCategory === 'NetworkActivity' || record.eventType === 'AwsVpceEvent') {
    return {
      reason: 'network-activity-event',
      detail: `${eventName} is a VPC endpoint network activity event; the data event records the access itself.`,
    };
  }

  if (record.managementEvent === true || record.eventCategory === 'Management') {
    return {
      reason: 'management-event',
      detail: `${eventName} is recorded as a management event, not a data event.`,
    };
  }

  return findEventNameSkip(eventName);
}

function findEventNameSkip(eventName: string): Skip | undefined {
  if (Object.hasOwn(S3_OBJECT_EVENTS, eventName)) return undefined;

  if (isBucketLevelEvent(eventName)) {
    return {
      reason: 'no-object-access',
      detail: `${eventName} reads or changes bucket settings, not objects.`,
    };
  }

  return {
    reason: 'unsupported-event-name',
    detail: `${eventName} is not an S3 event name that reads, writes, deletes or lists objects.`,
  };
}

function requireString(record: JsonObject, field: string, eventId: string | undefined): string {
  const value = readString(record, field);
  if (value === undefined) throw missingField(field, readString(record, 'eventName'), eventId);
  return value;
}

function requireEventTime(record: JsonObject, eventId: string): string {
  const eventTime = requireString(record, 'eventTime', eventId);
  if (parseIsoTime(eventTime) === undefined) {
    throw new InvalidRecordError(
      `Record ${eventId} has eventTime ${describeJsonValue(eventTime)}, which is not an ISO 8601 time.`,
      eventId,
    );
  }

  return eventTime;
}

function missingField(
  field: string,
  eventName: string | undefined,
  eventId: string | undefined,
): InvalidRecordError {
  const subject = [eventName, 'record', eventId].filter((part) => part !== undefined).join(' ');
  const capitalized = subject.charAt(0).toUpperCase() + subject.slice(1);
  return new InvalidRecordError(`${capitalized} is missing the required field ${field}.`, eventId);
}

interface AccessContext {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly principal: Principal;
  readonly index: number;
  readonly target: AccessTarget;
}

function buildAccess(record: JsonObject, context: AccessContext): ObjectAccess {
  const optional = {
    errorCode: readString(record, 'errorCode'),
    sourceIp: readString(record, 'sourceIPAddress'),
    vpcEndpointId: readString(record, 'vpcEndpointId'),
    awsRegion: readString(record, 'awsRegion'),
    recipientAccountId: readString(record, 'recipientAccountId'),
    requestId: readString(record, 'requestID'),
  };
  const present = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined));

  return {
    eventId: context.eventId,
    index: context.index,
    eventTime: context.eventTime,
    eventName: context.eventName,
    principal: context.principal,
    ...context.target,
    ...present,
  };
}
