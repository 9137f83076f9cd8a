/**
 * Synthesizes the evidence and analytics constructs in a stack of their own, with a KMS-encrypted
 * Kinesis stream in place of the detection constructs, and runs the cdk-nag packs over them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DeploymentProfile, readConfig } from '../../lib/config';
import { AuditQueries } from '../../lib/constructs/audit-queries';
import { DecisionAnalytics } from '../../lib/constructs/decision-analytics';
import { EvidenceArchive } from '../../lib/constructs/evidence-archive';

export interface AnalyticsStack {
  readonly template: Template;
  readonly archive: EvidenceArchive;
  readonly analytics: DecisionAnalytics;
  readonly stream: kinesis.Stream;
  readonly streamKey: kms.Key;
  /** cdk-nag findings that no acknowledgment covers, as `rule path`. */
  readonly nagFindings: readonly string[];
}

const cache = new Map<DeploymentProfile, AnalyticsStack>();

/** Returns the synthesized analytics stack for a profile, with the profile's default configuration. */
export function synthAnalytics(profile: DeploymentProfile): AnalyticsStack {
  const cached = cache.get(profile);
  if (cached) {
    return cached;
  }

  const config = readConfig((key) => (key === 'profile' ? profile : undefined));
  const app = new App({ context: appContext() });
  const stack = new Stack(app, 'AnalyticsTest', { env: { account: '111122223333', region: 'us-east-1' } });
  const streamKey = new kms.Key(stack, 'StreamKey', { enableKeyRotation: true });
  const stream = new kinesis.Stream(stack, 'Stream', {
    encryption: kinesis.StreamEncryption.KMS,
    encryptionKey: streamKey,
  });

  const archive = new EvidenceArchive(stack, 'EvidenceArchive', {
    stream,
    streamEncryptionKey: streamKey,
    profile,
    retentionDays: config.evidenceRetentionDays,
    transitionDays: config.evidenceTransitionDays,
  });
  const analytics = new DecisionAnalytics(stack, 'DecisionAnalytics', {
    profile,
    archive,
    indexRetentionDays: config.decisionIndexRetentionDays,
  });
  new AuditQueries(stack, 'AuditQueries', {
    archiveBucket: archive.bucket,
    encryptionKey: archive.key,
    accessLogsBucket: archive.accessLogsBucket,
    profile,
  });

  const template = Template.fromStack(stack);
  const result = { template, archive, analytics, stream, streamKey, nagFindings: runNag(stack) };
  cache.set(profile, result);
  return result;
}

/** Returns `{ 'Fn::GetAtt': [logicalId, 'Arn'] }` for the resource of a construct. */
export function arnOf(construct: IConstruct): { 'Fn::GetAtt': [string, 'Arn'] } {
  return { 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] };
}

/** Returns `{ Ref: logicalId }` for the resource of a construct. */
export function refOf(construct: IConstruct): { Ref: string } {
  return { Ref: logicalIdOf(construct) };
}

export function logicalIdOf(construct: IConstruct): string {
  const resource = CfnElement.isCfnElement(construct)
    ? construct
    : (construct.node.defaultChild as CfnElement);
  return Stack.of(construct).getLogicalId(resource);
}

function appContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  // An empty list of stacks to bundle makes asset code a placeholder instead of running esbuild.
  return { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] };
}

function runNag(stack: Stack): string[] {
  const findings: string[] = [];
  for (const pack of [new HIPAASecurityChecks(), new AwsSolutionsChecks()]) {
    for (const violation of pack.validateScope(stack).violations) {
      for (const resource of violation.violatingResources) {
        findings.push(`${violation.ruleName} ${resource.constructPath ?? ''}`);
      }
    }
  }
  return findings;
}
