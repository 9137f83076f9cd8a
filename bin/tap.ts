#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addComplianceChecks, FAIL_SYNTH_ON_FINDINGS_CONTEXT } from '../lib/compliance';
import { TapStack } from '../lib/tap-stack';

const app = new App({ postCliContext: FAIL_SYNTH_ON_FINDINGS_CONTEXT });
// Synthesis fails on any HIPAA Security or AWS Solutions finding that no acknowledgment covers.
addComplianceChecks(app);

new TapStack(app, 'PhiGuard', {
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  },
  description:
    'phi-guard: decides every access to PHI in Amazon S3, contains violators and keeps audit evidence.',
});
