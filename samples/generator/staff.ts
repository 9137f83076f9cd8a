/**
 * The hospital's staff and teams: the break-glass role, two IAM users and the web team.
 */
import { assumedRole, iamUser, RoleSpec, roleArn } from './identities';
import { assumeRoleEvent } from './records';
import { PHI_RECORDS, Scenario, USER_AGENTS, WEB_ASSETS } from './scenario';

export const BREAK_GLASS: RoleSpec = {
  name: 'examplehealth-break-glass',
  roleId: 'AROA4EXAMPLEBREAKG2W',
  path: '/emergency/',
};
const WEB_DEPLOY: RoleSpec = { name: 'examplehealth-web-deploy', roleId: 'AROA4EXAMPLEWEBDEP6J', path: '/' };

/** Adds an on-call clinician who assumes the break-glass role at night and opens one patient's chart. */
export function breakGlass(day: Scenario): void {
  const { random } = day;
  const caller = iamUser('s.patel', 'AIDA4EXAMPLESPATEL9Q', 'AKIA4EXAMPLESPATEL01');
  const sessionName = 's.patel-incident-0314';
  day.addOther(
    'trail',
    'break-glass',
    'skipped',
    assumeRoleEvent(random, day.at('03:11:52'), caller, roleArn(BREAK_GLASS), sessionName),
  );

  const identity = assumedRole(random, BREAK_GLASS, sessionName, '2025-03-14T03:11:52Z');
  const patient = day.mrn();
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '203.0.113.75', userAgent: USER_AGENTS.console };
  day.add('trail', 'break-glass', 'break-glass', {
    ...base,
    time: day.at('03:12:30'),
    eventName: 'ListObjects',
    prefix: `patients/${patient}/`,
  });
  const times = day.times(3.21, 3.5, 5);
  times.slice(0, 4).forEach((time, index) => {
    const key = `patients/${patient}/notes/2025-03-0${index + 1}-visit.json`;
    day.add('trail', 'break-glass', 'break-glass', {
      ...base,
      time,
      eventName: 'GetObject',
      key,
      bytesOut: random.integer(2_000, 40_000),
    });
  });
  const key = `patients/${patient}/notes/2025-03-14-emergency.json`;
  day.add('trail', 'break-glass', 'break-glass', {
    ...base,
    time: times[4],
    eventName: 'PutObject',
    key,
    bytesIn: 3_100,
  });
}

/** Adds a billing contractor who reads statements (granted) and tries to list patient folders (denied by S3). */
export function contractor(day: Scenario): void {
  const identity = iamUser('contractor-billing', 'AIDA4EXAMPLECONTRB7T', 'AKIA4EXAMPLECONTRB01');
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '203.0.113.140', userAgent: USER_AGENTS.cli };
  for (const time of day.times(10, 16, 6)) {
    const key = `billing/statements/2025-02/statement-${day.random.integer(1000, 9999)}.pdf`;
    day.add('trail', 'contractor', 'authorized', {
      ...base,
      time,
      eventName: 'GetObject',
      key,
      bytesOut: 48_213,
    });
  }
  for (const time of day.times(16.33, 16.36, 3)) {
    day.add('trail', 'contractor', 'denied', {
      ...base,
      time,
      eventName: 'ListObjects',
      prefix: 'patients/',
      errorCode: 'AccessDenied',
    });
  }
}

/** Adds a nurse whose grant was revoked at 10:00 when her employment ended, so her later reads are violations. */
export function formerEmployee(day: Scenario): void {
  const identity = iamUser('j.okafor', 'AIDA4EXAMPLEJOKAFR4D', 'AKIA4EXAMPLEJOKAFR01');
  const base = { identity, bucket: PHI_RECORDS, sourceIp: '203.0.113.18', userAgent: USER_AGENTS.cli };
  for (const [hours, outcome] of [
    [8.5, 'authorized'],
    [14.08, 'violation'],
  ] as const) {
    const count = outcome === 'authorized' ? 3 : 4;
    for (const time of day.times(hours, hours + 0.05, count)) {
      const key = `patients/${day.mrn()}/notes/2025-03-1${day.random.integer(0, 3)}-visit.json`;
      day.add('trail', 'former-employee', outcome, {
        ...base,
        time,
        eventName: 'GetObject',
        key,
        bytesOut: 12_004,
      });
    }
  }
}

/** Adds the web team, which deploys the public site to a bucket without PHI that is not monitored. */
export function webTeam(day: Scenario): void {
  const identity = assumedRole(day.random, WEB_DEPLOY, 'github-actions-2291', '2025-03-14T11:02:41Z');
  const base = { identity, bucket: WEB_ASSETS, sourceIp: '198.51.100.77', userAgent: USER_AGENTS.cli };
  for (const [index, time] of day.times(11.05, 11.1, 12).entries()) {
    const eventName = index % 3 === 0 ? 'GetObject' : 'PutObject';
    day.add('trail', 'web', 'out-of-scope', {
      ...base,
      time,
      eventName,
      key: `site/assets/app-${day.random.hex(8)}.js`,
    });
  }
}
