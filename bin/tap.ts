#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { TapStack } from '../lib/tap-stack';

const app = new App();

new TapStack(app, 'PhiGuard', {
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  },
  description:
    'phi-guard: decides every access to PHI in Amazon S3, contains violators and keeps audit evidence.',
});
