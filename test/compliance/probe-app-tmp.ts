import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { addComplianceChecks, FAIL_SYNTH_ON_FINDINGS_CONTEXT } from '../../lib/compliance';
const app = new App({ postCliContext: FAIL_SYNTH_ON_FINDINGS_CONTEXT });
addComplianceChecks(app);
const stack = new Stack(app, 'Probe');
const q = new sqs.Queue(stack, 'Q', { enforceSSL: true, encryption: sqs.QueueEncryption.KMS_MANAGED });
if (process.env.PROBE_ACK === '1') {
  for (const id of ['AwsSolutions-SQS3', 'HIPAA.Security-SQSQueueSSLRequestsOnly']) Validations.of(q).acknowledge({ id, reason: 'probe' });
}
