import type { Principal } from '../../src/domain/types';
import { containmentPolicyName, containmentSid } from '../../src/response/containment/policy-builder';
import { isProtectedPrincipal } from '../../src/response/containment/protected-principals';
import { readContainmentSettings } from '../../src/response/containment/settings';
import {
  type ContainmentSettings,
  type IdentityPolicyPlan,
  dryRunResult,
  planContainment,
} from '../../src/response/containment/strategy';
import type { IncidentKind } from '../../src/response/types';
import {
  ACCOUNT_ONLY_PRINCIPAL,
  ACCOUNT_PRINCIPAL_WITH_ID,
  OWNER_ACCOUNT,
  PRINCIPALS,
  SETTINGS,
  incidentFor,
} from './containment-fixtures';

const NOW = new Date('2025-03-01T10:30:00.250Z');
const SESSION_MODE: ContainmentSettings = { ...SETTINGS, roleContainmentMode: 'session' };
const PIPELINE_ROLE: Principal = {
  ...PRINCIPALS.roleSession,
  key: `arn:aws:iam::${OWNER_ACCOUNT}:role/phi-guard-contain`,
  arn: `arn:aws:sts::${OWNER_ACCOUNT}:assumed-role/phi-guard-contain/phi-guard-contain`,
  roleArn: `arn:aws:iam::${OWNER_ACCOUNT}:role/phi-guard-contain`,
};

const UNRESOLVED_USER: Principal = {
  ...PRINCIPALS.iamUser,
  key: 'unresolved:IAMUser:AIDAEXAMPLEDANA',
  arn: 'unresolved:IAMUser:AIDAEXAMPLEDANA',
};

describe('planContainment', () => {
  it.each<[string, Principal, ContainmentSettings, IncidentKind, string, string]>([
    ['IAM user', PRINCIPALS.iamUser, SETTINGS, 'violation', 'identity-policy', 'user-inline-deny'],
    [
      'role session',
      PRINCIPALS.roleSession,
      SETTINGS,
      'violation',
      'identity-policy',
      'role-token-issue-time-deny',
    ],
    [
      'role session, session mode',
      PRINCIPALS.roleSession,
      SESSION_MODE,
      'violation',
      'identity-policy',
      'role-session-deny',
    ],
    [
      'Identity Center session',
      PRINCIPALS.identityCenterSession,
      SETTINGS,
      'violation',
      'bucket-policy',
      'bucket-policy-deny',
    ],
    [
      'Identity Center user',
      PRINCIPALS.identityCenterUser,
      SETTINGS,
      'violation',
      'bucket-policy',
      'bucket-policy-deny',
    ],
    [
      'cross-account session',
      PRINCIPALS.crossAccountSession,
      SESSION_MODE,
      'violation',
      'bucket-policy',
      'bucket-policy-deny',
    ],
    [
      'cross-account user',
      PRINCIPALS.crossAccountUser,
      SETTINGS,
      'violation',
      'bucket-policy',
      'bucket-policy-deny',
    ],
    [
      'federated user',
      PRINCIPALS.federatedUser,
      SETTINGS,
      'violation',
      'bucket-policy',
      'bucket-policy-deny',
    ],
    [
      'account with principal id',
      ACCOUNT_PRINCIPAL_WITH_ID,
      SETTINGS,
      'violation',
      'bucket-policy',
      'bucket-policy-deny',
    ],
    ['account without principal id', ACCOUNT_ONLY_PRINCIPAL, SETTINGS, 'violation', 'skip', 'alert-only'],
    ['root user', PRINCIPALS.root, SETTINGS, 'violation', 'skip', 'alert-only'],
    ['unresolved identity', UNRESOLVED_USER, SETTINGS, 'violation', 'skip', 'alert-only'],
    ['anonymous request', PRINCIPALS.anonymous, SETTINGS, 'violation', 'skip', 'alert-only'],
    [
      'listed break-glass role',
      PRINCIPALS.breakGlassSession,
      SETTINGS,
      'violation',
      'skip',
      'skipped-protected',
    ],
    ['wildcard-listed pipeline role', PIPELINE_ROLE, SETTINGS, 'violation', 'skip', 'skipped-protected'],
    ['service-linked role', PRINCIPALS.serviceLinkedRole, SETTINGS, 'violation', 'skip', 'skipped-protected'],
    ['AWS service', PRINCIPALS.awsService, SETTINGS, 'violation', 'skip', 'skipped-protected'],
    [
      'monitor mode',
      PRINCIPALS.iamUser,
      { ...SETTINGS, monitorMode: true },
      'violation',
      'skip',
      'skipped-monitor-mode',
    ],
    [
      'protected in monitor mode',
      PRINCIPALS.breakGlassSession,
      { ...SETTINGS, monitorMode: true },
      'violation',
      'skip',
      'skipped-protected',
    ],
    ['break-glass review', PRINCIPALS.iamUser, SETTINGS, 'break-glass-review', 'skip', 'skipped-review'],
  ])('plan for %s', (_name, principal, settings, kind, expectedKind, expectedOutcome) => {
    const plan = planContainment(incidentFor(principal, kind), settings, NOW);

    expect(plan.kind).toBe(expectedKind);
    expect(plan.kind === 'skip' ? plan.status : plan.strategy).toBe(expectedOutcome);
  });

  it('user plan names user without path', () => {
    const plan = planContainment(incidentFor(PRINCIPALS.iamUser, 'violation', 'inc-1'), SETTINGS, NOW);

    expect(plan).toMatchObject({ entity: 'user', entityName: 'dana', policyName: 'phi-guard-deny-inc-1' });
  });

  it('token issue time rounds up', () => {
    const plan = planContainment(incidentFor(PRINCIPALS.roleSession), SETTINGS, NOW);
    if (plan.kind !== 'identity-policy') throw new Error(`Expected an identity policy, got ${plan.kind}.`);

    expect(plan.entityName).toBe('ClaimsAnalyst');
    expect(plan.document.Statement[0].Condition).toEqual({
      DateLessThan: { 'aws:TokenIssueTime': '2025-03-01T10:30:01Z' },
    });
  });

  it('session mode without session name', () => {
    const principal = { ...PRINCIPALS.roleSession, sessionName: undefined };
    const plan = planContainment(incidentFor(principal), SESSION_MODE, NOW);

    expect(plan.kind).toBe('identity-policy');
    expect(plan).toHaveProperty('strategy', 'role-token-issue-time-deny');
  });

  it('bucket plan adds one statement per bucket', () => {
    const plan = planContainment(incidentFor(PRINCIPALS.crossAccountUser), SETTINGS, NOW);
    if (plan.kind !== 'bucket-policy') throw new Error(`Expected a bucket policy, got ${plan.kind}.`);

    expect(plan.statements.map((item) => item.bucket)).toEqual(SETTINGS.phiBucketNames);
    expect(plan.statements[1].statement.Resource).toEqual([
      'arn:aws:s3:::phi-imaging-example',
      'arn:aws:s3:::phi-imaging-example/*',
    ]);
    expect(plan.statements[1].statement.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': PRINCIPALS.crossAccountUser.arn },
    });
  });
});

describe('containment names', () => {
  it('policy name keeps valid ids', () => {
    expect(containmentPolicyName('inc-20250301T101500Z-0123456789abcdef01234567')).toBe(
      'phi-guard-deny-inc-20250301T101500Z-0123456789abcdef01234567',
    );
  });

  it.each([
    ['long id', 'x'.repeat(300)],
    ['invalid characters', 'inc/2025 03#01'],
  ])('policy name with %s', (_name, incidentId) => {
    const name = containmentPolicyName(incidentId);

    expect(name.length).toBeLessThanOrEqual(128);
    expect(name).toMatch(/^phi-guard-deny-[\w+=,.@-]+$/);
    expect(containmentPolicyName(incidentId)).toBe(name);
  });

  it('sid is alphanumeric and distinct', () => {
    const sids = ['inc-1', 'inc1', 'inc_1'].map(containmentSid);

    for (const sid of sids) {
      expect(sid).toMatch(/^PhiGuardDeny[A-Za-z0-9]+$/);
    }
    expect(new Set(sids).size).toBe(3);
    expect(containmentSid('inc1')).toBe('PhiGuardDenyinc1');
  });
});

describe('isProtectedPrincipal', () => {
  it.each([
    [
      'role listed without path',
      [`arn:aws:iam::${OWNER_ACCOUNT}:role/partner-etl`],
      PRINCIPALS.crossAccountSession,
      false,
    ],
    [
      'role listed with path',
      ['arn:aws:iam::444455556666:role/service/partner-etl'],
      PRINCIPALS.crossAccountSession,
      true,
    ],
    [
      'role path left out',
      ['arn:aws:iam::444455556666:role/partner-etl'],
      PRINCIPALS.crossAccountSession,
      true,
    ],
    ['session ARN listed', [PRINCIPALS.roleSession.arn], PRINCIPALS.roleSession, true],
    [
      'other session of role',
      [`arn:aws:sts::${OWNER_ACCOUNT}:assumed-role/ClaimsAnalyst/gail`],
      PRINCIPALS.roleSession,
      false,
    ],
    ['user with path', [`arn:aws:iam::${OWNER_ACCOUNT}:user/dana`], PRINCIPALS.iamUser, true],
    ['wildcard entry', [`arn:aws:iam::${OWNER_ACCOUNT}:user/*`], PRINCIPALS.iamUser, true],
    ['stack role pattern', [`arn:aws:iam::${OWNER_ACCOUNT}:role/Claims*`], PRINCIPALS.roleSession, true],
    ['other stack pattern', [`arn:aws:iam::${OWNER_ACCOUNT}:role/PhiGuard-*`], PRINCIPALS.roleSession, false],
    ['empty list', [], PRINCIPALS.iamUser, false],
  ])('protected: %s', (_name, list, principal, expected) => {
    expect(isProtectedPrincipal(principal, list)).toBe(expected);
  });
});

describe('dryRunResult', () => {
  it('dry run returns policy', () => {
    const plan = planContainment(incidentFor(PRINCIPALS.iamUser, 'violation', 'inc-7'), SETTINGS, NOW);
    const result = dryRunResult(plan);

    expect(result).toMatchObject({ status: 'dry-run', strategy: 'user-inline-deny', target: 'dana' });
    expect(result.policyName).toBe('phi-guard-deny-inc-7');
    expect(plan.kind).toBe('identity-policy');
    expect(JSON.parse(result.policyDocument ?? '')).toEqual((plan as IdentityPolicyPlan).document);
    expect(result.detail).toContain('inline policy phi-guard-deny-inc-7 on user dana');
  });

  it('dry run of skip', () => {
    const plan = planContainment(incidentFor(PRINCIPALS.root), SETTINGS, NOW);

    expect(dryRunResult(plan)).toEqual({
      status: 'alert-only',
      strategy: 'none',
      detail: expect.stringContaining('Root'),
    });
  });
});

describe('readContainmentSettings', () => {
  const valid = {
    PHI_BUCKET_NAMES: 'phi-records-example, phi-imaging-example',
    PROTECTED_PRINCIPAL_ARNS: '',
    MONITOR_MODE: 'false',
    ROLE_CONTAINMENT_MODE: 'session',
  };

  it('settings from environment', () => {
    expect(readContainmentSettings(valid)).toEqual({
      phiBucketNames: ['phi-records-example', 'phi-imaging-example'],
      protectedPrincipalArns: [],
      monitorMode: false,
      roleContainmentMode: 'session',
      dryRun: false,
    });
  });

  it.each([
    ['no buckets', { ...valid, PHI_BUCKET_NAMES: ' ' }, /PHI_BUCKET_NAMES/],
    [
      'invalid monitor mode',
      { ...valid, MONITOR_MODE: 'yes' },
      /MONITOR_MODE must be true or false, got "yes"/,
    ],
    ['missing mode', { ...valid, ROLE_CONTAINMENT_MODE: undefined }, /ROLE_CONTAINMENT_MODE/],
    ['invalid dry run', { ...valid, CONTAINMENT_DRY_RUN: '1' }, /CONTAINMENT_DRY_RUN/],
  ])('settings reject %s', (_name, env, message) => {
    expect(() => readContainmentSettings(env)).toThrow(message);
  });
});
