/**
 * Principals outside the hospital's own roles and users: Amazon Macie, the root user, the partner
 * laboratory's account, IAM Identity Center users, and one malformed record.
 */
import {
  assumedRole,
  identityCenterUser,
  partnerAccount,
  RoleSpec,
  rootUser,
  serviceLinkedRole,
} from './identities';
import { PHI_IMAGING, PHI_RECORDS, Scenario, USER_AGENTS } from './scenario';

const MACIE: RoleSpec = {
  name: 'AWSServiceRoleForAmazonMacie',
  roleId: 'AROA4EXAMPLEMACIE3VZ',
  path: '/aws-service-role/macie.amazonaws.com/',
};
export const AUDITOR_SSO: RoleSpec = {
  name: 'AWSReservedSSO_PHIAuditor_4f2a9c81e7b3d650',
  roleId: 'AROA4EXAMPLEAUDITR6X',
  path: '/aws-reserved/sso.amazonaws.com/',
};
export const RESEARCHER_USER_ID = '94480418-d0b1-70c4-92e6-7a3c5e21f0b9';
export const PARTNER_ROLE_ID = 'AROA6EXAMPLEPARTNR2L';

/** Adds a Macie sensitive-data discovery job that samples objects through its service-linked role. */
export function macie(day: Scenario): void {
  const identity = serviceLinkedRole(day.random, MACIE, 'macie.amazonaws.com', '2025-03-14T04:59:31Z');
  const base = { identity, sourceIp: 'macie.amazonaws.com', userAgent: USER_AGENTS.macie };
  for (const [index, time] of day.times(5, 5.2, 6).entries()) {
    const onImaging = index % 3 === 2;
    const bucket = onImaging ? PHI_IMAGING : PHI_RECORDS;
    const key = onImaging
      ? `studies/ACC${day.random.integer(100_000, 999_999)}/report.txt`
      : `patients/${day.mrn()}/notes/summary.json`;
    day.add('trail', 'macie', 'service', {
      ...base,
      time,
      eventName: 'GetObject',
      bucket,
      key,
      bytesOut: 1_024,
    });
  }
}

/** Adds two chart downloads by the root user late at night, which are always violations. */
export function root(day: Scenario): void {
  const identity = rootUser('ASIA4EXAMPLEROOTKEY1');
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '203.0.113.201', userAgent: USER_AGENTS.console };
  for (const time of day.times(22.78, 22.8, 2)) {
    const key = `patients/${day.mrn()}/notes/2025-03-12-visit.json`;
    day.add('trail', 'root', 'violation', { ...base, time, eventName: 'GetObject', key, bytesOut: 18_400 });
  }
}

/** Adds the partner laboratory's hourly uploads, then its listing of the folder and its attempts to read charts. */
export function partnerLab(day: Scenario): void {
  const identity = partnerAccount(PARTNER_ROLE_ID, 'lab-results-sync');
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '198.51.100.180', userAgent: USER_AGENTS.python };
  for (let hour = 0; hour < 24; hour++) {
    const time = day.times(hour, hour + 0.1, 1)[0];
    const key = `inbound/lab-results/2025-03-14/${day.mrn()}-panel-${day.random.integer(100, 999)}.hl7`;
    day.add('eventbridge', 'partner', 'authorized', {
      ...base,
      time,
      eventName: 'PutObject',
      key,
      bytesIn: day.random.integer(3_000, 12_000),
    });
  }
  for (const time of day.times(17.2, 17.25, 2)) {
    day.add('eventbridge', 'partner', 'violation', {
      ...base,
      time,
      eventName: 'ListObjects',
      prefix: 'inbound/lab-results/',
    });
  }
  for (const time of day.times(17.3, 17.32, 2)) {
    const key = `patients/${day.mrn()}/labs/cbc-2025-03-11.pdf`;
    day.add('eventbridge', 'partner', 'denied', {
      ...base,
      time,
      eventName: 'GetObject',
      key,
      errorCode: 'AccessDenied',
    });
  }
}

/** Adds a researcher (Identity Center user) who reads her approved cohort, then two files of an older cohort. */
export function researcher(day: Scenario): void {
  const identity = identityCenterUser(RESEARCHER_USER_ID, 'd-9067a1b2c3', 'EXAMPLEcredIDresearch01');
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '203.0.113.52', userAgent: USER_AGENTS.python };
  for (const time of day.times(13, 13.05, 2)) {
    day.add('jsonl', 'researcher', 'authorized', {
      ...base,
      time,
      eventName: 'ListObjects',
      prefix: 'research/cohort-2025a/',
    });
  }
  for (const time of day.times(13.05, 15, 15)) {
    const key = `research/cohort-2025a/subjects/subject-${day.random.integer(1000, 1999)}.json`;
    day.add('jsonl', 'researcher', 'authorized', {
      ...base,
      time,
      eventName: 'GetObject',
      key,
      bytesOut: 8_200,
    });
  }
  for (const time of day.times(15.1, 15.12, 2)) {
    const key = `research/cohort-2024b/subjects/subject-${day.random.integer(1000, 1999)}.json`;
    day.add('jsonl', 'researcher', 'violation', {
      ...base,
      time,
      eventName: 'GetObject',
      key,
      bytesOut: 8_150,
    });
  }
}

/** Adds two auditors who share one Identity Center permission set, while the grant names one auditor's session. */
export function auditors(day: Scenario): void {
  const rivera = assumedRole(day.random, AUDITOR_SSO, 'a.rivera@example.org', '2025-03-14T09:30:11Z');
  const chen = assumedRole(day.random, AUDITOR_SSO, 'm.chen@example.org', '2025-03-14T19:02:45Z');
  const base = {
    bucket: PHI_RECORDS,
    sourceIp: '203.0.113.90',
    userAgent: USER_AGENTS.console,
    eventName: 'GetObject',
  };
  for (const time of day.times(9.6, 11, 8)) {
    const key = `audit/access-reviews/2025-02/review-${day.random.integer(10, 99)}.pdf`;
    day.add('jsonl', 'auditors', 'authorized', { ...base, identity: rivera, time, key, bytesOut: 91_330 });
  }
  for (const time of day.times(19.1, 19.2, 3)) {
    const key = `audit/access-reviews/2025-02/review-${day.random.integer(10, 99)}.pdf`;
    day.add('jsonl', 'auditors', 'violation', { ...base, identity: chen, time, key, bytesOut: 91_330 });
  }
}

/** Adds a record cut short by a faulty log shipper, without userIdentity and eventTime. */
export function malformed(day: Scenario): void {
  day.addOther('malformed', 'malformed', 'failed', {
    eventVersion: '1.10',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    requestParameters: { bucketName: PHI_RECORDS, key: 'patients/MRN-00000000/notes/truncated.json' },
    eventID: day.random.uuid(),
    eventCategory: 'Data',
  });
}
