/**
 * A batch with every kind of decision: authorized accesses of two granted principals, violations of two
 * principals without grants, and accesses that need no grant lookup (AWS service, AccessDenied, a bucket
 * that is not monitored).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { Decision } from '../../../src/domain/types';
import {
  OTHER_BUCKET,
  assumedRoleIdentity,
  awsServiceIdentity,
  eventBridgeEnvelope,
  iamUserIdentity,
  kinesisRecord,
  s3DataEvent,
} from '../../validator/support/fixtures';
import { rootIdentity } from './identities';
import { nextEventId } from './unusual-records';

export const CLERK_KEY = 'arn:aws:iam::111122223333:user/records-clerk';
export const CLINICIAN_KEY = 'arn:aws:iam::111122223333:role/clinician';
export const INTRUDER_KEY = 'arn:aws:iam::111122223333:user/intruder';
export const ROOT_KEY = 'root:111122223333';

/** Principal keys whose accesses in the mixed batch need their grants. No grant can cover the root user. */
export const LOOKUP_KEYS: readonly string[] = [CLERK_KEY, CLINICIAN_KEY, INTRUDER_KEY];

let recordCounter = 0;

function record(identity: Record<string, unknown>, options: Partial<Parameters<typeof s3DataEvent>[0]> = {}) {
  recordCounter += 1;
  const eventTime = `2025-03-01T10:00:${String(recordCounter % 60).padStart(2, '0')}Z`;
  return kinesisRecord(
    eventBridgeEnvelope(s3DataEvent({ eventId: nextEventId(), identity, eventTime, ...options })),
  );
}

/** Builds the batch: 14 records, of which 10 need a grant lookup. The clinician's PutObject is a violation. */
export function mixedBatch(): KinesisStreamRecord[] {
  return [
    record(iamUserIdentity('records-clerk'), { key: 'patients/0001/chart.pdf' }),
    record(iamUserIdentity('records-clerk'), { key: 'patients/0002/chart.pdf', eventName: 'PutObject' }),
    record(iamUserIdentity('records-clerk'), { key: 'patients/0003/labs.json', eventName: 'DeleteObject' }),
    record(assumedRoleIdentity('clinician', 'dana@example.org'), { key: 'patients/0001/notes.txt' }),
    record(assumedRoleIdentity('clinician', 'lee@example.org'), { key: 'patients/0004/notes.txt' }),
    record(iamUserIdentity('intruder'), { key: 'patients/0001/chart.pdf' }),
    record(iamUserIdentity('intruder'), { key: 'patients/0005/chart.pdf' }),
    record(iamUserIdentity('intruder'), { key: 'patients/0006/scan.dcm' }),
    record(rootIdentity(), { key: 'patients/0007/chart.pdf' }),
    record(assumedRoleIdentity('clinician', 'dana@example.org'), {
      key: 'patients/0008/x.pdf',
      eventName: 'PutObject',
    }),
    record(iamUserIdentity('records-clerk'), { key: 'patients/0009/chart.pdf' }),
    record(awsServiceIdentity('backup.amazonaws.com'), { key: 'patients/0001/chart.pdf' }),
    record(iamUserIdentity('guest'), { key: 'patients/0001/chart.pdf', errorCode: 'AccessDenied' }),
    record(iamUserIdentity('intruder'), { key: 'build/output.zip', bucket: OTHER_BUCKET }),
  ];
}

/** Decision fields that must not depend on delivery order, retries or timing. */
export function stableView(decision: Decision): string {
  return [
    decision.decisionId,
    decision.principalKey,
    decision.decision,
    decision.grantId ?? '-',
    decision.reason,
  ].join(' | ');
}
