/**
 * The principals of the benchmark stream, one of each CloudTrail identity type, and the grants they hold.
 * Names and ids are invented; accounts are the documentation examples 111122223333 and 444455556666.
 */
import type { AccessAction, Grant } from '../src/domain/types';
import { pick, pickIndex, type Random } from './random';

export const ACCOUNT_ID = '111122223333';
export const PARTNER_ACCOUNT_ID = '444455556666';
export const PHI_BUCKETS = ['example-phi-records', 'example-phi-imaging'] as const;
export const OTHER_BUCKET = 'example-build-artifacts';

/** One actor of the stream: the `userIdentity` CloudTrail writes for it, and its grants. */
export interface BenchPrincipal {
  readonly identity: Record<string, unknown>;
  readonly grants: readonly Grant[];
  /** Actions that its grants allow: all for AWS services, none for principals without grants. */
  readonly allowed: readonly AccessAction[];
  /** True for principals without grants (their accesses to PHI are violations). */
  readonly rogue: boolean;
  /** Key prefix of its grants: `*` for whole buckets. */
  readonly prefix: string;
  /** True for the few granted principals that sometimes act outside their grants. */
  readonly sloppy: boolean;
}

export interface Population {
  /** Principals with grants, AWS services and service-linked roles, in Zipf rank order. */
  readonly regular: readonly BenchPrincipal[];
  /** Principals without grants, root, anonymous and unresolved identities. */
  readonly rogue: readonly BenchPrincipal[];
  readonly grants: readonly Grant[];
}

const ACTION_SETS: readonly (readonly AccessAction[])[] = [
  ['read', 'list'],
  ['read', 'list', 'write'],
  ['read', 'list', 'write'],
  ['read', 'write', 'delete', 'list'],
];

let grantCounter = 0;

function grantsFor(
  random: Random,
  principalKey: string,
  actions: readonly AccessAction[],
  prefix: string,
): Grant[] {
  return PHI_BUCKETS.map((bucket) => {
    grantCounter += 1;
    return {
      grantId: `g-bench-${String(grantCounter).padStart(5, '0')}`,
      principal: principalKey,
      principalKey,
      bucket,
      prefix,
      actions,
      notBefore: '2025-01-01T00:00:00Z',
      expiresAt: '2026-01-01T00:00:00Z',
      purpose: pick(random, ['treatment', 'payment', 'operations']),
      breakGlass: false,
    };
  });
}

/** One granted principal in 20 sometimes acts outside its grants. */
const SLOPPY_SHARE = 0.05;

function granted(random: Random, identity: Record<string, unknown>, principalKey: string): BenchPrincipal {
  const allowed = pick(random, ACTION_SETS);
  const prefix = random() < 0.7 ? '*' : 'patients/';
  const sloppy = random() < SLOPPY_SHARE;
  return {
    identity,
    grants: grantsFor(random, principalKey, allowed, prefix),
    allowed,
    rogue: false,
    prefix,
    sloppy,
  };
}

const ungranted = (identity: Record<string, unknown>): BenchPrincipal => ({
  identity,
  grants: [],
  allowed: [],
  rogue: true,
  prefix: '*',
  sloppy: false,
});

const service = (identity: Record<string, unknown>): BenchPrincipal => ({
  identity,
  grants: [],
  allowed: ['read', 'write', 'delete', 'list'],
  rogue: false,
  prefix: '*',
  sloppy: false,
});

function iamUser(name: string): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: `AIDAEXAMPLE${name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 10)}`,
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/staff/${name}`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'AKIAEXAMPLEBENCH0001',
    userName: name,
  };
}

function roleSession(roleName: string, sessionName: string, rolePath = '/'): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEBENCH0001:${sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${sessionName}`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'ASIAEXAMPLEBENCH0001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEBENCH0001',
        arn: `arn:aws:iam::${ACCOUNT_ID}:role${rolePath}${roleName}`,
        accountId: ACCOUNT_ID,
        userName: roleName,
      },
      attributes: { creationDate: '2025-03-01T08:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

function identityCenterUser(index: number): Record<string, unknown> {
  const userId = `9${String(index).padStart(7, '0')}-d5e6-4f70-8192-a3b4c5d6e7f8`;
  return {
    type: 'IdentityCenterUser',
    accountId: ACCOUNT_ID,
    onBehalfOf: {
      userId,
      identityStoreArn: `arn:aws:identitystore::${ACCOUNT_ID}:identitystore/d-9067000000`,
    },
    credentialId: `EXAMPLEcredential${index}`,
  };
}

function federatedUser(name: string): Record<string, unknown> {
  return {
    type: 'FederatedUser',
    principalId: `${ACCOUNT_ID}:${name}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/${name}`,
    accountId: ACCOUNT_ID,
  };
}

/** Builds about 300 principals of every identity type; the same seed gives the same population. */
export function buildPopulation(random: Random): Population {
  const regular: BenchPrincipal[] = [];
  for (let index = 0; index < 90; index++) {
    const name = `clinician-${index}`;
    regular.push(granted(random, iamUser(name), `arn:aws:iam::${ACCOUNT_ID}:user/${name}`));
  }
  for (let role = 0; role < 40; role++) {
    const roleName = `care-app-${role}`;
    const roleGrant = granted(
      random,
      roleSession(roleName, 'x'),
      `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`,
    );
    for (let session = 0; session < 3; session++) {
      const sessionName = `worker-${role}-${session}@example.org`;
      regular.push({
        ...roleGrant,
        identity: roleSession(roleName, sessionName),
        grants: session === 0 ? roleGrant.grants : [],
      });
    }
  }
  for (let index = 0; index < 30; index++) {
    const identity = identityCenterUser(index);
    const userId = (identity.onBehalfOf as { userId: string }).userId;
    regular.push(granted(random, identity, `arn:aws:identitystore:::user/${userId}`));
  }
  for (let index = 0; index < 20; index++) {
    const name = `portal-${index}`;
    regular.push(granted(random, federatedUser(name), `arn:aws:sts::${ACCOUNT_ID}:federated-user/${name}`));
  }
  regular.push(
    granted(
      random,
      { type: 'AWSAccount', principalId: 'AROAEXAMPLEPARTNER01:sync', accountId: PARTNER_ACCOUNT_ID },
      PARTNER_ACCOUNT_ID,
    ),
  );
  for (const name of [
    'backup',
    'macie',
    'athena',
    's3',
    'cloudtrail',
    'glue',
    'datasync',
    'storagegateway',
  ]) {
    regular.push(service({ type: 'AWSService', invokedBy: `${name}.amazonaws.com` }));
  }
  for (const name of ['AWSServiceRoleForAmazonMacie', 'AWSServiceRoleForBackup']) {
    regular.push(
      service(
        roleSession(
          name,
          'service-session',
          `/aws-service-role/${name.slice(17).toLowerCase()}.amazonaws.com/`,
        ),
      ),
    );
  }
  shuffleInPlace(random, regular);
  return { regular, rogue: buildRogues(), grants: regular.flatMap((principal) => principal.grants) };
}

function buildRogues(): BenchPrincipal[] {
  const rogues = Array.from({ length: 10 }, (_, index) => ungranted(iamUser(`contractor-${index}`)));
  rogues.push(
    ungranted({
      type: 'Root',
      principalId: ACCOUNT_ID,
      arn: `arn:aws:iam::${ACCOUNT_ID}:root`,
      accountId: ACCOUNT_ID,
    }),
  );
  rogues.push(ungranted({ type: 'AWSAccount', principalId: '', accountId: 'anonymous' }));
  rogues.push(ungranted({ type: 'SAMLUser', principalId: 'EXAMPLESAMLPRINCIPAL', accountId: ACCOUNT_ID }));
  rogues.push(
    ungranted({ type: 'AWSAccount', principalId: 'AROAEXAMPLEOTHER0001:sync', accountId: '123456789012' }),
  );
  return rogues;
}

function shuffleInPlace<T>(random: Random, items: T[]): void {
  for (let index = items.length - 1; index > 0; index--) {
    const other = pickIndex(random, index + 1);
    [items[index], items[other]] = [items[other], items[index]];
  }
}
