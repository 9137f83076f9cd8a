/**
 * The hospital's own applications: the clinician portal and the analytics and retention jobs.
 */
import { assumedRole, RoleSpec, roleArn } from './identities';
import { assumeRoleEvent } from './records';
import { PHI_IMAGING, PHI_RECORDS, Scenario, USER_AGENTS } from './scenario';

export const CLINICIAN_PORTAL: RoleSpec = {
  name: 'examplehealth-clinician-portal',
  roleId: 'AROA4EXAMPLECLINIC7Q',
  path: '/',
};
export const ANALYTICS_ETL: RoleSpec = {
  name: 'examplehealth-analytics-etl',
  roleId: 'AROA4EXAMPLEANALYT3K',
  path: '/data/',
};
export const RECORDS_RETENTION: RoleSpec = {
  name: 'examplehealth-records-retention',
  roleId: 'AROA4EXAMPLERETENT8M',
  path: '/',
};

const PORTAL_TASK: RoleSpec = { name: 'examplehealth-portal-task', roleId: 'AROA4EXAMPLEPTASK5N', path: '/' };

const PORTAL_ENDPOINT = 'vpce-0a1b2c3d4e5f60718';

/** Adds 160 reads and writes by five portal sessions, one CopyObject, and the five AssumeRole calls behind them. */
export function clinicianPortal(day: Scenario): void {
  const { random } = day;
  const taskIdentity = assumedRole(random, PORTAL_TASK, 'ecs-task-3f9c', '2025-03-14T05:58:02Z');
  const sessions = ['portal-7d41c2', 'portal-a09e55', 'portal-1bc3f8', 'portal-e6620d', 'portal-5f17aa'];
  const assumedAt = day.times(5.9, 6, sessions.length);
  sessions.forEach((session, index) => {
    const record = assumeRoleEvent(
      random,
      assumedAt[index],
      taskIdentity,
      roleArn(CLINICIAN_PORTAL),
      session,
    );
    day.addOther('trail', 'portal', 'skipped', record);
  });

  const identities = sessions.map((session) =>
    assumedRole(random, CLINICIAN_PORTAL, session, '2025-03-14T05:59:30Z'),
  );
  const patients = Array.from({ length: 40 }, () => day.mrn());
  for (const time of day.times(6, 22, 160)) {
    const identity = random.pick(identities);
    const common = {
      time,
      identity,
      sourceIp: `192.0.2.${random.integer(10, 60)}`,
      userAgent: USER_AGENTS.javaSdk,
    };
    const network = { ...common, vpcEndpointId: PORTAL_ENDPOINT };
    const roll = random.next();
    const patient = random.pick(patients);
    if (roll < 0.55) {
      const key = `patients/${patient}/notes/2025-0${random.integer(1, 3)}-${random.integer(10, 28)}-visit.json`;
      day.add('trail', 'portal', 'authorized', {
        ...network,
        eventName: 'GetObject',
        bucket: PHI_RECORDS,
        key,
        bytesOut: random.integer(2_000, 40_000),
      });
    } else if (roll < 0.7) {
      const key = `patients/${patient}/notes/2025-03-14-${random.hex(6)}.json`;
      day.add('trail', 'portal', 'authorized', {
        ...network,
        eventName: 'PutObject',
        bucket: PHI_RECORDS,
        key,
        bytesIn: random.integer(1_500, 9_000),
      });
    } else if (roll < 0.82) {
      const key = `patients/${patient}/labs/cbc-2025-03-${random.integer(10, 14)}.pdf`;
      day.add('trail', 'portal', 'authorized', {
        ...network,
        eventName: 'HeadObject',
        bucket: PHI_RECORDS,
        key,
      });
    } else {
      const key = `studies/ACC${random.integer(100_000, 999_999)}/series-1/image-000${random.integer(1, 9)}.dcm`;
      day.add('trail', 'portal', 'authorized', {
        ...network,
        eventName: 'GetObject',
        bucket: PHI_IMAGING,
        key,
        bytesOut: random.integer(400_000, 2_000_000),
      });
    }
  }

  const patient = random.pick(patients);
  day.add('trail', 'portal', 'authorized', {
    time: day.at('15:42:18'),
    identity: identities[0],
    eventName: 'CopyObject',
    bucket: PHI_RECORDS,
    key: `patients/${patient}/notes/2025-03-14-amended.json`,
    copySource: `${PHI_RECORDS}/patients/${patient}/notes/2025-03-14-draft.json`,
    sourceIp: '192.0.2.23',
    userAgent: USER_AGENTS.javaSdk,
    vpcEndpointId: PORTAL_ENDPOINT,
  });
}

/** Adds the nightly de-identified export (authorized) and a claims job that outlives its time-limited grant. */
export function analytics(day: Scenario): void {
  const { random } = day;
  const nightly = assumedRole(random, ANALYTICS_ETL, 'nightly-export', '2025-03-14T01:59:40Z');
  const base = {
    identity: nightly,
    bucket: PHI_RECORDS,
    sourceIp: '198.51.100.20',
    userAgent: USER_AGENTS.spark,
  };
  for (const time of day.times(2, 2.08, 3)) {
    day.add('trail', 'analytics', 'authorized', {
      ...base,
      time,
      eventName: 'ListObjects',
      prefix: 'exports/deidentified/',
    });
  }
  for (const time of day.times(2.1, 2.7, 20)) {
    const key = `exports/deidentified/2025-03-13/part-${String(random.integer(0, 63)).padStart(5, '0')}.parquet`;
    day.add('trail', 'analytics', 'authorized', {
      ...base,
      time,
      eventName: 'GetObject',
      key,
      bytesOut: random.integer(5e6, 6e7),
    });
  }
  for (const [index, time] of day.times(2.7, 2.9, 5).entries()) {
    const key = `exports/deidentified/staging/part-0000${index}.parquet`;
    day.add('trail', 'analytics', 'authorized', {
      ...base,
      time,
      eventName: 'PutObject',
      key,
      bytesIn: random.integer(5e6, 6e7),
    });
  }
  day.add('trail', 'analytics', 'authorized', {
    ...base,
    time: day.at('02:55:03'),
    eventName: 'CopyObject',
    key: 'exports/deidentified/2025-03-14/part-00000.parquet',
    copySource: `${PHI_RECORDS}/exports/deidentified/staging/part-00000.parquet`,
  });

  const claims = assumedRole(random, ANALYTICS_ETL, 'claims-reconciliation', '2025-03-14T08:59:12Z');
  const claimsBase = { ...base, identity: claims, eventName: 'GetObject' };
  for (const time of day.times(9, 11.9, 10)) {
    const key = `claims/2024/q4/batch-${random.integer(100, 999)}.csv`;
    day.add('trail', 'analytics', 'authorized', {
      ...claimsBase,
      time,
      key,
      bytesOut: random.integer(1e5, 9e5),
    });
  }
  for (const time of day.times(12.2, 13.5, 6)) {
    const key = `claims/2024/q4/batch-${random.integer(100, 999)}.csv`;
    day.add('trail', 'analytics', 'violation', {
      ...claimsBase,
      time,
      key,
      bytesOut: random.integer(1e5, 9e5),
    });
  }
  for (const time of day.times(13.68, 13.7, 3)) {
    const key = `patients/${day.mrn()}/notes/2025-02-${random.integer(10, 28)}-visit.json`;
    day.add('trail', 'analytics', 'violation', {
      ...claimsBase,
      time,
      key,
      bytesOut: random.integer(2_000, 40_000),
    });
  }
}

/** Adds the retention job, which lists old exports and deletes three of them in one DeleteObjects request. */
export function retention(day: Scenario): void {
  const identity = assumedRole(day.random, RECORDS_RETENTION, 'retention-sweep', '2025-03-14T03:59:58Z');
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '198.51.100.21', userAgent: USER_AGENTS.python };
  day.add('trail', 'retention', 'authorized', {
    ...base,
    time: day.at('04:00:07'),
    eventName: 'ListObjects',
    prefix: 'exports/deidentified/2024-12-01/',
  });
  const deleteKeys = [0, 1, 2].map((part) => `exports/deidentified/2024-12-01/part-0000${part}.parquet`);
  day.add('trail', 'retention', 'authorized', {
    ...base,
    time: day.at('04:00:09'),
    eventName: 'DeleteObjects',
    deleteKeys,
  });
}
