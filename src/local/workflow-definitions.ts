/**
 * Renders the Amazon States Language definitions of the triage and response workflows exactly as
 * `cdk synth` emits them, with CloudFormation references replaced by readable placeholder ARNs, so
 * that local runs and tests execute the deployed definitions instead of hand-written copies.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { PhiGuardConfig } from '../../lib/config';
import { TapStack } from '../../lib/tap-stack';

/** Account, Region and partition that placeholders use, from the AWS documentation ranges. */
export const PLACEHOLDER_ACCOUNT = '111122223333';
export const PLACEHOLDER_REGION = 'us-east-1';

const REPO_ROOT = path.join(__dirname, '..', '..');
const STACK_NAME = 'PhiGuard';

export interface WorkflowDefinitions {
  /** The Express triage workflow. */
  readonly triage: StateMachineDefinition;
  /** The Standard response workflow. */
  readonly response: StateMachineDefinition;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

type Resources = Readonly<Record<string, TemplateResource>>;

/**
 * Synthesizes `TapStack` in this process with `config`, without bundling any Lambda code, and returns
 * the definitions of its two state machines: the Express one as `triage`, the Standard one as `response`.
 * @throws Error when the template does not hold exactly one state machine of each type.
 */
export function renderWorkflowDefinitions(config: PhiGuardConfig): WorkflowDefinitions {
  const resources = synthesizeResources(config);
  const machines = Object.values(resources).filter(
    (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  const ofType = (type: string) => {
    const matching = machines.filter(
      (machine) => (machine.Properties?.StateMachineType ?? 'STANDARD') === type,
    );
    if (matching.length !== 1) {
      throw new Error(
        `Expected one ${type} state machine in the phi-guard template, found ${matching.length}.`,
      );
    }
    return renderDefinition(matching[0].Properties?.DefinitionString, resources);
  };

  return { triage: ofType('EXPRESS'), response: ofType('STANDARD') };
}

function synthesizeResources(config: PhiGuardConfig): Resources {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-synth-'));
  try {
    const app = new App({ outdir, context: synthContext() });
    const stack = new TapStack(app, STACK_NAME, {
      config,
      env: { account: PLACEHOLDER_ACCOUNT, region: PLACEHOLDER_REGION },
    });
    const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: Resources };
    return template.Resources;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Returns the feature flags of cdk.json, plus an empty list of stacks to bundle so that no esbuild runs. */
function synthContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true };
}

/** Resolves a `DefinitionString` (plain text or `Fn::Join`) and parses it. */
export function renderDefinition(definition: unknown, resources: Resources): StateMachineDefinition {
  const text = resolveValue(definition, resources);
  return JSON.parse(text) as StateMachineDefinition;
}

function resolveValue(value: unknown, resources: Resources): string {
  if (typeof value === 'string') {
    return value;
  }
  if (isObject(value) && 'Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveValue(part, resources)).join(separator);
  }
  if (isObject(value) && 'Ref' in value) {
    return resolveRef(String(value.Ref), resources);
  }
  if (isObject(value) && 'Fn::GetAtt' in value) {
    const [logicalId, attribute] = value['Fn::GetAtt'] as [string, string];
    return resolveAttribute(logicalId, attribute, resources);
  }
  throw new Error(
    `Cannot render ${JSON.stringify(value)} in a state machine definition; expected text, Ref or Fn::GetAtt.`,
  );
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': PLACEHOLDER_REGION,
  'AWS::AccountId': PLACEHOLDER_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK_NAME,
};

/** Resource types whose `Ref` returns an ARN rather than a name. */
const REF_IS_ARN = new Set(['AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine']);

function resolveRef(logicalId: string, resources: Resources): string {
  const pseudo = PSEUDO_PARAMETERS[logicalId];
  if (pseudo !== undefined) {
    return pseudo;
  }
  const resource = requireResource(logicalId, resources);
  return REF_IS_ARN.has(resource.Type)
    ? placeholderArn(logicalId, resource)
    : readableName(logicalId, resource);
}

function resolveAttribute(logicalId: string, attribute: string, resources: Resources): string {
  const resource = requireResource(logicalId, resources);
  if (attribute === 'Arn' || attribute === 'TopicArn') {
    return placeholderArn(logicalId, resource);
  }
  if (attribute === 'Name' || attribute === 'TopicName') {
    return readableName(logicalId, resource);
  }
  throw new Error(`Cannot render attribute ${attribute} of ${logicalId} (${resource.Type}).`);
}

/** ARN formats of the resource types that state machine definitions refer to. */
function placeholderArn(logicalId: string, resource: TemplateResource): string {
  const name = readableName(logicalId, resource);
  const prefix = (service: string) => `arn:aws:${service}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}`;
  switch (resource.Type) {
    case 'AWS::Lambda::Function':
      return `${prefix('lambda')}:function:${name}`;
    case 'AWS::SNS::Topic':
      return `${prefix('sns')}:${name}`;
    case 'AWS::StepFunctions::StateMachine':
      return `${prefix('states')}:stateMachine:${name}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    default:
      throw new Error(`No placeholder ARN format for ${logicalId} of type ${resource.Type}.`);
  }
}

/**
 * Returns the resource's physical name if the template sets one, or else its construct path without the
 * stack name and the trailing `Resource`, such as `SecurityEvents-Response-ReportFunction`.
 */
function readableName(logicalId: string, resource: TemplateResource): string {
  const properties = resource.Properties ?? {};
  for (const key of ['FunctionName', 'TopicName', 'StateMachineName', 'BucketName', 'Name']) {
    if (typeof properties[key] === 'string') {
      return properties[key] as string;
    }
  }
  const constructPath = resource.Metadata?.['aws:cdk:path'];
  if (typeof constructPath !== 'string') {
    return logicalId;
  }
  const segments = constructPath.split('/').slice(1);
  if (segments.at(-1) === 'Resource') {
    segments.pop();
  }
  return segments.join('-').replace(/[^A-Za-z0-9_-]/g, '');
}

function requireResource(logicalId: string, resources: Resources): TemplateResource {
  const resource = resources[logicalId];
  if (resource === undefined) {
    throw new Error(`The state machine definition refers to ${logicalId}, which is not in the template.`);
  }
  return resource;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
