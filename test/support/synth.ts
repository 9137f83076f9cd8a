/**
 * Synthesizes `TapStack` for template tests. Each configuration is synthesized once per test file
 * (Jest gives every file its own module registry), because synthesis with cdk-nag takes seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { findComplianceViolations, type NagFinding } from '../../lib/compliance';
import { PhiGuardConfig, readConfig } from '../../lib/config';
import { TapStack } from '../../lib/tap-stack';

const REPO_ROOT = path.join(__dirname, '..', '..');

export interface SynthOptions {
  /**
   * Runs esbuild for every Lambda function, as `cdk synth` does. Template assertions do not need
   * the bundles, so tests skip bundling unless they check the bundle itself.
   * @default false
   */
  readonly bundle?: boolean;
}

export interface SynthResult {
  readonly stack: TapStack;
  readonly template: Template;
  /** Findings of cdk-nag's HIPAA Security and AWS Solutions packs that no acknowledgment covers. */
  readonly nagFindings: readonly NagFinding[];
}

/** One unacknowledged cdk-nag finding. */
export type { NagFinding };

const cache = new Map<string, SynthResult>();

/** Returns the template of `TapStack` built from the default configuration plus `overrides`. */
export function synthTemplate(overrides: Partial<PhiGuardConfig> = {}, options: SynthOptions = {}): Template {
  return synthesize(overrides, options).template;
}

/** Builds `TapStack` from the default configuration plus `overrides`, with cdk-nag applied. */
export function synthesize(overrides: Partial<PhiGuardConfig> = {}, options: SynthOptions = {}): SynthResult {
  const cacheKey = JSON.stringify({ overrides, options });
  const cached = cache.get(cacheKey);
  if (cached) {
    return cached;
  }

  const config: PhiGuardConfig = { ...readConfig(() => undefined), ...overrides };
  const app = new App({ context: appContext(options.bundle ?? false) });
  const stack = new TapStack(app, 'PhiGuardTest', { config });

  const template = Template.fromStack(stack);
  const result: SynthResult = { stack, template, nagFindings: findComplianceViolations(stack) };
  cache.set(cacheKey, result);
  return result;
}

/** Returns the context of cdk.json (its feature flags), so tests synthesize what `cdk synth` synthesizes. */
function appContext(bundle: boolean): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const context: Record<string, unknown> = { ...cdkJson.context };
  if (!bundle) {
    // An empty list of stacks to bundle makes asset code a placeholder instead of running esbuild.
    context['aws:cdk:bundling-stacks'] = [];
  }
  return context;
}
