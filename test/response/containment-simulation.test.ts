/**
 * Evaluates the containment policies with @cloud-copilot/iam-simulate, an offline IAM policy evaluator,
 * because no IAM or S3 can run here. The simulator does not derive request context keys from the
 * principal, so each requester lists the keys that AWS sets for that identity type.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Principal } from '../../src/domain/types';
import type { PolicyDocument, PolicyStatement } from '../../src/response/containment/policy-builder';
import {
  type ContainmentPlan,
  type ContainmentSettings,
  planContainment,
} from '../../src/response/containment/strategy';
import {
  ACCOUNT_PRINCIPAL_WITH_ID,
  BREAK_GLASS_ROLE_ARN,
  IDENTITY_CENTER_ROLE_ARN,
  OTHER_BUCKET,
  OWNER_ACCOUNT,
  PARTNER_ACCOUNT,
  PRINCIPALS,
  SETTINGS,
  incidentFor,
} from './containment-fixtures';

const CONTAINED_AT = new Date('2025-03-01T10:30:00.250Z');
const BEFORE = '2025-03-01T09:00:00Z';
const AFTER = '2025-03-01T10:31:00Z';
const PHI_OBJECT = 'arn:aws:s3:::phi-records-example/patients/p-100.json';
const PHI_BUCKET = 'arn:aws:s3:::phi-records-example';
const OTHER_OBJECT = `arn:aws:s3:::${OTHER_BUCKET}/reports/2025.csv`;

/** Who sends a request: the principal ARN and the request context keys that AWS sets for it. */
interface Requester {
  readonly principal: string;
  readonly context: Record<string, string>;
}

const ALLOW_ALL_S3: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'AllowS3', Effect: 'Allow', Action: 's3:*', Resource: '*' }],
};

/** The bucket owner's existing statement that lets the partner account read PHI. */
const PARTNER_READ: PolicyStatement & { Principal: unknown } = {
  Sid: 'PartnerRead',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` } as unknown as '*',
  Action: ['s3:GetObject', 's3:ListBucket'],
  Resource: [PHI_BUCKET, `${PHI_BUCKET}/*`],
};

function user(account: string, name: string, userId: string): Requester {
  const arn = `arn:aws:iam::${account}:user/${name}`;
  return {
    principal: arn,
    context: {
      'aws:PrincipalArn': arn,
      'aws:userid': userId,
      'aws:username': name,
      'aws:PrincipalAccount': account,
    },
  };
}

function roleSession(roleArn: string, roleId: string, session: string, issuedAt = BEFORE): Requester {
  const [, , , , account, resource] = roleArn.split(':');
  const roleName = resource.slice(resource.lastIndexOf('/') + 1);
  return {
    principal: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
    context: {
      'aws:PrincipalArn': roleArn,
      'aws:userid': `${roleId}:${session}`,
      'aws:PrincipalAccount': account,
      'aws:TokenIssueTime': issuedAt,
    },
  };
}

function federatedUser(account: string, name: string): Requester {
  const arn = `arn:aws:sts::${account}:federated-user/${name}`;
  return {
    principal: arn,
    context: { 'aws:PrincipalArn': arn, 'aws:userid': `${account}:${name}`, 'aws:PrincipalAccount': account },
  };
}

function withIdentityStoreUser(requester: Requester, userId: string): Requester {
  return { ...requester, context: { ...requester.context, 'identitystore:UserId': userId } };
}

async function decide(
  requester: Requester,
  resource: string,
  policies: { identity?: readonly PolicyDocument[]; bucket?: PolicyDocument },
  action = 's3:GetObject',
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: requester.principal,
        action,
        resource: { resource, accountId: OWNER_ACCOUNT },
        contextVariables: requester.context,
      },
      identityPolicies: [ALLOW_ALL_S3, ...(policies.identity ?? [])].map((policy, index) => ({
        name: `identity-${index}`,
        policy,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.bucket,
    },
    {},
  );
  if (response.resultType === 'error') {
    throw new Error(`Simulation failed: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult;
}

function plan(principal: Principal, settings: ContainmentSettings = SETTINGS): ContainmentPlan {
  return planContainment(incidentFor(principal), settings, CONTAINED_AT);
}

function identityPolicyOf(principal: Principal, settings?: ContainmentSettings): PolicyDocument {
  const result = plan(principal, settings);
  if (result.kind !== 'identity-policy') {
    throw new Error(`Expected an identity policy plan, got ${result.kind}.`);
  }
  return result.document;
}

/** Builds the policy of `phi-records-example` after containing each principal, on top of the partner statement. */
function bucketPolicyAfter(principals: readonly Principal[]): PolicyDocument {
  const statements = principals.map((principal) => {
    const result = plan(principal);
    if (result.kind !== 'bucket-policy') {
      throw new Error(`Expected a bucket policy plan for ${principal.arn}, got ${result.kind}.`);
    }
    return result.statements.find((item) => item.bucket === 'phi-records-example')!.statement;
  });
  return { Version: '2012-10-17', Statement: [PARTNER_READ, ...statements] };
}

const ANALYST_ROLE = `arn:aws:iam::${OWNER_ACCOUNT}:role/ClaimsAnalyst`;
const PARTNER_ROLE = `arn:aws:iam::${PARTNER_ACCOUNT}:role/service/partner-etl`;

describe('user inline deny', () => {
  const policy = identityPolicyOf(PRINCIPALS.iamUser);
  const dana = user(OWNER_ACCOUNT, 'clinical/dana', 'AIDAEXAMPLEDANA');

  it.each([
    ['PHI object read', PHI_OBJECT, 's3:GetObject', 'ExplicitlyDenied'],
    ['PHI bucket listing', PHI_BUCKET, 's3:ListBucket', 'ExplicitlyDenied'],
    [
      'second PHI bucket write',
      'arn:aws:s3:::phi-imaging-example/scan.dcm',
      's3:PutObject',
      'ExplicitlyDenied',
    ],
    ['non-PHI object read', OTHER_OBJECT, 's3:GetObject', 'Allowed'],
  ])('user policy: %s', async (_name, resource, action, expected) => {
    expect(await decide(dana, resource, { identity: [policy] }, action)).toBe(expected);
  });
});

describe('role token issue time deny', () => {
  const policy = identityPolicyOf(PRINCIPALS.roleSession);

  it.each([
    [
      'live session on PHI',
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', BEFORE),
      PHI_OBJECT,
      'ExplicitlyDenied',
    ],
    [
      'other live session on PHI',
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'gail', BEFORE),
      PHI_OBJECT,
      'ExplicitlyDenied',
    ],
    [
      'same-second session',
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', '2025-03-01T10:30:00Z'),
      PHI_OBJECT,
      'ExplicitlyDenied',
    ],
    [
      'session issued later',
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', AFTER),
      PHI_OBJECT,
      'Allowed',
    ],
    [
      'live session on non-PHI',
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', BEFORE),
      OTHER_OBJECT,
      'Allowed',
    ],
  ])('token issue time: %s', async (_name, requester, resource, expected) => {
    expect(await decide(requester, resource, { identity: [policy] })).toBe(expected);
  });
});

describe('role session deny', () => {
  const sessionMode: ContainmentSettings = { ...SETTINGS, roleContainmentMode: 'session' };
  const byName = identityPolicyOf(PRINCIPALS.roleSession, sessionMode);
  const byId = identityPolicyOf(
    { ...PRINCIPALS.roleSession, principalId: 'AROAEXAMPLEANALYST:dana' } as Principal,
    sessionMode,
  );

  it.each([
    [
      'name match, that session',
      byName,
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', AFTER),
      PHI_OBJECT,
      'ExplicitlyDenied',
    ],
    [
      'name match, other session',
      byName,
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana2', BEFORE),
      PHI_OBJECT,
      'Allowed',
    ],
    [
      'name match, non-PHI',
      byName,
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', BEFORE),
      OTHER_OBJECT,
      'Allowed',
    ],
    [
      'id match, that session',
      byId,
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'dana', BEFORE),
      PHI_OBJECT,
      'ExplicitlyDenied',
    ],
    [
      'id match, other session',
      byId,
      roleSession(ANALYST_ROLE, 'AROAEXAMPLEANALYST', 'gail', BEFORE),
      PHI_OBJECT,
      'Allowed',
    ],
  ])('session deny: %s', async (_name, policy, requester, resource, expected) => {
    expect(await decide(requester, resource, { identity: [policy] })).toBe(expected);
  });
});

describe('bucket policy deny', () => {
  const bucketPolicy = bucketPolicyAfter([
    PRINCIPALS.identityCenterSession,
    PRINCIPALS.identityCenterUser,
    PRINCIPALS.crossAccountSession,
    PRINCIPALS.crossAccountUser,
    PRINCIPALS.federatedUser,
    ACCOUNT_PRINCIPAL_WITH_ID,
    { ...PRINCIPALS.crossAccountSession, sessionName: 'job-77', roleArn: undefined },
  ]);
  const icDana = roleSession(IDENTITY_CENTER_ROLE_ARN, 'AROAEXAMPLESSO', 'dana@example.org');
  const identityStoreUser = '9067c2a4-e0b1-70e5-8d3c-0123456789ab';

  it.each([
    ['Identity Center session', icDana, 'ExplicitlyDenied'],
    [
      'Identity Center session issued later',
      roleSession(IDENTITY_CENTER_ROLE_ARN, 'AROAEXAMPLESSO', 'dana@example.org', AFTER),
      'ExplicitlyDenied',
    ],
    [
      'other Identity Center user',
      roleSession(IDENTITY_CENTER_ROLE_ARN, 'AROAEXAMPLESSO', 'erin@example.org'),
      'Allowed',
    ],
    ['identity store user', withIdentityStoreUser(icDana, identityStoreUser), 'ExplicitlyDenied'],
    [
      'other identity store user',
      withIdentityStoreUser(
        roleSession(IDENTITY_CENTER_ROLE_ARN, 'AROAEXAMPLESSO', 'hana@example.org'),
        'other-user-id',
      ),
      'Allowed',
    ],
    ['cross-account session', roleSession(PARTNER_ROLE, 'AROAPARTNERETL', 'job-42'), 'ExplicitlyDenied'],
    ['other cross-account session', roleSession(PARTNER_ROLE, 'AROAPARTNERETL', 'job-43'), 'Allowed'],
    ['session without issuer ARN', roleSession(PARTNER_ROLE, 'AROAPARTNERETL', 'job-77'), 'ExplicitlyDenied'],
    ['other session without issuer ARN', roleSession(PARTNER_ROLE, 'AROAPARTNERETL', 'job-78'), 'Allowed'],
    ['cross-account user', user(PARTNER_ACCOUNT, 'erin', 'AIDAPARTNERERIN'), 'ExplicitlyDenied'],
    ['other cross-account user', user(PARTNER_ACCOUNT, 'ivan', 'AIDAPARTNERIVAN'), 'Allowed'],
    ['federated user', federatedUser(OWNER_ACCOUNT, 'frank'), 'ExplicitlyDenied'],
    ['other federated user', federatedUser(OWNER_ACCOUNT, 'grace'), 'Allowed'],
    [
      'account-only principal',
      roleSession(`arn:aws:iam::${PARTNER_ACCOUNT}:role/exporter`, 'AROAPARTNEREXAMPLE', 'nightly-export'),
      'ExplicitlyDenied',
    ],
    ['same-account user', user(OWNER_ACCOUNT, 'clinical/dana', 'AIDAEXAMPLEDANA'), 'Allowed'],
    [
      'protected break-glass session',
      roleSession(BREAK_GLASS_ROLE_ARN, 'AROAEXAMPLEBREAKGLASS', 'oncall@example.org'),
      'Allowed',
    ],
  ])('bucket policy: %s', async (_name, requester, expected) => {
    expect(await decide(requester, PHI_OBJECT, { bucket: bucketPolicy })).toBe(expected);
  });

  it('bucket policy covers only its bucket', () => {
    const resources = bucketPolicy.Statement.slice(1).flatMap((statement) => statement.Resource);
    expect(new Set(resources)).toEqual(new Set([PHI_BUCKET, `${PHI_BUCKET}/*`]));
  });
});
