import { SFNClient } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Decision, Principal, TriageInput } from '../../src/domain/types';
import { LOCAL_CREDENTIALS } from '../../src/local/local-dynamodb';
import { StepFunctionsTriageStarter, splitTriageInput } from '../../src/validator/sfn-triage-starter';
import { startRecordingHttpServer, type RecordingHttpServer } from './support/recording-http-server';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage';

function principal(name: string): Principal {
  return {
    key: `arn:aws:iam::111122223333:user/${name}`,
    type: 'IAMUser',
    arn: `arn:aws:iam::111122223333:user/${name}`,
    accountId: '111122223333',
    sessionName: name,
    serviceLinked: false,
    identityCenter: false,
    crossAccount: false,
  };
}

function violation(owner: Principal, index: number, keyLength = 20): Decision {
  return {
    decisionId: `ev-${owner.sessionName}-${index}#0`,
    eventId: `ev-${owner.sessionName}-${index}`,
    eventTime: '2025-03-01T10:00:00Z',
    decidedAt: '2025-03-01T10:00:05Z',
    principal: owner.arn,
    principalKey: owner.key,
    identityType: 'IAMUser',
    eventName: 'GetObject',
    action: 'read',
    bucket: 'example-phi-records',
    key: `patients/${'k'.repeat(keyLength)}/${index}`,
    decision: 'violation',
    reason: `No grant exists for principal ${owner.key}.`,
  };
}

let server: RecordingHttpServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function starterFor(endpoint: string): StepFunctionsTriageStarter {
  const client = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
  return new StepFunctionsTriageStarter({ client, stateMachineArn: STATE_MACHINE_ARN });
}

describe('StepFunctionsTriageStarter', () => {
  it('starts one execution per principal', async () => {
    // The StartExecution response shape from the AWS Step Functions API reference.
    server = await startRecordingHttpServer((_request, index) => ({
      body: {
        executionArn: `${STATE_MACHINE_ARN.replace('stateMachine', 'express')}:run-${index}`,
        startDate: 1740823205.5,
      },
    }));
    const alice = principal('alice');
    const bob = principal('bob');
    const inputs: TriageInput[] = [
      { principal: alice, decisions: [violation(alice, 1), violation(alice, 2)] },
      { principal: bob, decisions: [violation(bob, 1)] },
    ];

    const outcomes = await starterFor(server.endpoint).start(inputs);

    expect(outcomes.map((outcome) => [outcome.principalKey, outcome.status])).toEqual([
      [alice.key, 'started'],
      [bob.key, 'started'],
    ]);
    expect(server.requests.map((request) => request.target)).toEqual([
      'AWSStepFunctions.StartExecution',
      'AWSStepFunctions.StartExecution',
    ]);
    const sent = server.requests.map((request) => JSON.parse(String(request.body.input)) as TriageInput);
    expect(sent.sort((left, right) => left.principal.key.localeCompare(right.principal.key))).toEqual(inputs);
    expect(server.requests.every((request) => request.body.stateMachineArn === STATE_MACHINE_ARN)).toBe(true);
  });

  it('reports a failed start per principal', async () => {
    server = await startRecordingHttpServer((request) => {
      const input = JSON.parse(String(request.body.input)) as TriageInput;
      return input.principal.sessionName === 'bob'
        ? { status: 400, body: { __type: 'ExecutionLimitExceeded', message: 'Execution limit exceeded.' } }
        : { body: { executionArn: `${STATE_MACHINE_ARN}:run`, startDate: 1740823205.5 } };
    });
    const alice = principal('alice');
    const bob = principal('bob');
    const outcomes = await starterFor(server.endpoint).start([
      { principal: alice, decisions: [violation(alice, 1)] },
      { principal: bob, decisions: [violation(bob, 1)] },
    ]);

    expect(outcomes[0]).toMatchObject({ principalKey: alice.key, status: 'started' });
    expect(outcomes[1]).toMatchObject({ principalKey: bob.key, status: 'failed' });
    const failure = outcomes[1];
    expect(failure.status === 'failed' ? failure.error.name : undefined).toBe('ExecutionLimitExceeded');
  });

  it('splits inputs above the size limit', () => {
    const carol = principal('carol');
    const decisions = Array.from({ length: 10 }, (_, index) => violation(carol, index, 500));
    const parts = splitTriageInput({ principal: carol, decisions }, 3000);

    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((part) => part.decisions)).toEqual(decisions);
    expect(parts.every((part) => Buffer.byteLength(JSON.stringify(part)) <= 3000)).toBe(true);
  });
});
