/**
 * End-to-end test of the sandbox profile in a sandbox account. A granted role reads a test object and is
 * authorized. An ungranted role reads it and is contained, reported and indexed as a violation.
 *
 * CloudTrail delivers S3 data events to EventBridge within minutes, not seconds, so every wait below
 * allows 30 minutes and polls once a minute.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, type IApiCall } from '@aws-cdk/integ-tests-alpha';
import { readConfig } from '../lib/config';
import { TapStack } from '../lib/tap-stack';
import { incidentKey, openWindowKey } from '../src/response/incidents-table';
import { AccessFixture, fixtureRoleArn, TEST_OBJECT_KEY } from './fixtures/access-fixture';

const STACK_NAME = 'PhiGuardInteg';
const SEEDER_ROLE_NAME = `${STACK_NAME}-seeder`;
const WAIT = { totalTimeout: Duration.minutes(30), interval: Duration.minutes(1), backoffRate: 1 };

// The feature flags of cdk.json, so that the test deploys the stack that `cdk deploy` deploys.
const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
// Without stack traces, the snapshot's metadata names no paths of the machine that wrote it.
const app = new App({
  context: cdkJson.context,
  postCliContext: { 'aws:cdk:disable-creation-stack-traces': true },
  stackTraces: false,
});
const stack = new TapStack(app, STACK_NAME, {
  config: {
    ...readConfig(() => undefined),
    profile: 'sandbox',
    evidenceRetentionDays: 1,
    // The canary's own violations would open incidents and Macie jobs that this test does not check.
    canaryEnabled: false,
    protectedPrincipalArns: [fixtureRoleArn(SEEDER_ROLE_NAME)],
  },
});
retainBucketsWithObjects();
const events = stack.securityEvents;
const fixture = new AccessFixture(stack, 'IntegFixture', {
  securityEvents: events,
  seederRoleName: SEEDER_ROLE_NAME,
});

const integ = new IntegTest(app, 'PhiGuardEndToEnd', {
  testCases: [stack],
  // Each run deploys a fresh sandbox; deploying the previous snapshot first would double the run time.
  stackUpdateWorkflow: false,
});
const assertions = integ.assertions;

/**
 * Retains every bucket that no custom resource empties, because CloudFormation cannot delete a bucket that
 * contains objects, and the evidence bucket contains objects locked until their retention ends. The test
 * stack then deletes cleanly and leaves those buckets to be emptied and deleted by hand (docs/deploy.md).
 */
function retainBucketsWithObjects(): void {
  for (const construct of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || construct.cfnResourceType !== 'AWS::S3::Bucket') {
      continue;
    }
    const emptiedOnDelete = construct.node.scope?.node.tryFindChild('AutoDeleteObjectsCustomResource');
    if (emptiedOnDelete === undefined) {
      construct.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }
}

/** Converts a key of `incidents-table.ts` into DynamoDB attribute values. */
function itemKey(key: { pk: string; sk: string }) {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function readAs(roleArn: string, expectedStatus: string): IApiCall {
  const call = assertions.invokeFunction({
    functionName: fixture.readFunction.functionName,
    payload: stack.toJsonString({ roleArn, bucket: fixture.bucket.bucketName, key: TEST_OBJECT_KEY }),
  });
  call.expect(ExpectedResult.objectLike({ Payload: JSON.stringify({ status: expectedStatus }) }));
  return call;
}

function decisionsOf(principalKey: string, expected: string[]): IApiCall {
  const call = assertions.invokeFunction({
    functionName: fixture.searchFunction.functionName,
    payload: stack.toJsonString({ principalKey }),
  });
  call.expect(ExpectedResult.objectLike({ Payload: JSON.stringify({ decisions: expected }) }));
  return call.waitForAssertions(WAIT);
}

function getIncidentItem(key: { pk: string; sk: string }): IApiCall {
  const call = assertions.awsApiCall('DynamoDB', 'getItem', {
    TableName: events.incidentStore.table.tableName,
    Key: itemKey(key),
    ConsistentRead: true,
  });
  call.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: [events.incidentStore.key.keyArn],
  });
  return call;
}

const grantedArn = fixture.grantedReader.roleArn;
const ungrantedArn = fixture.ungrantedReader.roleArn;

// 1. Both roles read the test object; S3 allows both, because only phi-guard's grants tell them apart.
const grantedRead = readAs(grantedArn, 'read');
const ungrantedRead = readAs(ungrantedArn, 'read');

// 2. The ungranted read is decided as a violation and indexed in OpenSearch.
const violationIndexed = decisionsOf(ungrantedArn, ['violation']);

// 3. Containment put a phi-guard deny policy on the ungranted role.
const denyPolicyNames = assertions
  .awsApiCall('IAM', 'listRolePolicies', { RoleName: fixture.ungrantedReader.roleName })
  .assertAtPath('PolicyNames.0', ExpectedResult.stringLikeRegexp('^phi-guard-deny-'))
  .waitForAssertions(WAIT);
const denyPolicy = assertions
  .awsApiCall('IAM', 'getRolePolicy', {
    RoleName: fixture.ungrantedReader.roleName,
    PolicyName: denyPolicyNames.getAttString('PolicyNames.0'),
  })
  // IAM returns the document URL-encoded; the deny effect appears in it as plain text.
  .assertAtPath('PolicyDocument', ExpectedResult.stringLikeRegexp('Deny'));

// 4. The incident has a report in the evidence bucket, locked in GOVERNANCE mode.
const openWindow = getIncidentItem(openWindowKey(ungrantedArn))
  .assertAtPath('Item.incidentId.S', ExpectedResult.stringLikeRegexp('^inc-'))
  .waitForAssertions(WAIT);
const incident = getIncidentItem(incidentKey(openWindow.getAttString('Item.incidentId.S')))
  .assertAtPath('Item.report.M.jsonKey.S', ExpectedResult.stringLikeRegexp('^reports/'))
  .waitForAssertions(WAIT);
const reportRetention = assertions
  .awsApiCall('S3', 'getObjectRetention', {
    Bucket: events.evidenceArchive.bucket.bucketName,
    Key: incident.getAttString('Item.report.M.jsonKey.S'),
  })
  .assertAtPath('Retention.Mode', ExpectedResult.stringLikeRegexp('^GOVERNANCE$'));

// 5. Release the containment, because IAM deletes a role only after its inline policies are deleted.
const releaseRole = assertions.awsApiCall('IAM', 'deleteRolePolicy', {
  RoleName: fixture.ungrantedReader.roleName,
  PolicyName: denyPolicyNames.getAttString('PolicyNames.0'),
});

// 6. The granted read is authorized and opened no incident.
const authorizedIndexed = decisionsOf(grantedArn, ['authorized']);
const noGrantedIncident = getIncidentItem(openWindowKey(grantedArn)).expect(ExpectedResult.exact({}));

grantedRead
  .next(ungrantedRead)
  .next(violationIndexed)
  .next(denyPolicyNames)
  .next(denyPolicy)
  .next(openWindow)
  .next(incident)
  .next(reportRetention)
  .next(releaseRole)
  .next(authorizedIndexed)
  .next(noGrantedIncident);

// integ-tests-alpha salts every assertion with the synthesis time, so that a redeployment runs it again.
// Each run here deploys a fresh stack, so a fixed salt changes no run and keeps the snapshot identical.
for (const construct of app.node.findAll()) {
  if (CfnResource.isCfnResource(construct) && construct.cfnResourceType.startsWith('Custom::DeployAssert@')) {
    construct.addPropertyOverride('salt', 'phi-guard-integ');
  }
}
