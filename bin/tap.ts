#!/usr/bin/env node
import { Annotations, App } from 'aws-cdk-lib';
import { addComplianceChecks, FAIL_SYNTH_ON_FINDINGS_CONTEXT } from '../lib/compliance';
import { ConfigError } from '../lib/config';
import { checkContextKeys, readIgnoredContextKeys } from '../lib/config-context-keys';
import { findBroadPrincipalWarnings } from '../lib/config-principals';
import { TapStack } from '../lib/tap-stack';

function main(): void {
  const app = new App({ postCliContext: FAIL_SYNTH_ON_FINDINGS_CONTEXT });
  // Synthesis fails on any HIPAA Security or AWS Solutions finding that no acknowledgment covers.
  addComplianceChecks(app);
  const context = app.node.getAllContext();
  const ignoredKeys = readIgnoredContextKeys((key) => context[key]);
  checkContextKeys(Object.keys(context), ignoredKeys);

  const stack = new TapStack(app, 'PhiGuard', {
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
    description:
      'phi-guard: decides every access to PHI in Amazon S3, contains violators and keeps audit evidence.',
  });
  // The cdk CLI (2.1149) prints warnings added to a stack but not those added to the app.
  const warnings = findBroadPrincipalWarnings('protectedPrincipalArns', stack.config.protectedPrincipalArns);
  for (const warning of warnings) {
    Annotations.of(stack).addWarningV2('phi-guard:broadProtectedPrincipal', warning);
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof ConfigError)) {
    throw error;
  }
  // The message names the key, the value and the fix, so a stack trace would only bury it. `cdk synth`
  // (CLI 2.1149) prints the app's stderr and then "npx tsx bin/tap.ts: Subprocess exited with error 1".
  console.error(`error: ${error.message}`);
  process.exit(1);
}
