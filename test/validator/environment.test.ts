import { ValidatorConfigurationError, readValidatorEnvironment } from '../../src/validator/environment';

describe('readValidatorEnvironment', () => {
  it('reads every variable', () => {
    const environment = readValidatorEnvironment({
      GRANTS_TABLE_NAME: 'phi-guard-grants',
      MONITORED_BUCKETS: 'example-phi-records, example-phi-imaging',
      GRANT_CACHE_TTL_SECONDS: '0',
      DECISION_STREAM_NAME: 'phi-guard-decisions',
      TRIAGE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage',
      POWERTOOLS_SERVICE_NAME: 'validator',
      POWERTOOLS_METRICS_NAMESPACE: 'PhiGuard/Test',
      CANARY_PRINCIPAL_KEYS:
        'arn:aws:iam::111122223333:role/canary-a, arn:aws:iam::111122223333:role/canary-b',
    });
    expect(environment).toEqual({
      grantsTableName: 'phi-guard-grants',
      monitoredBuckets: new Set(['example-phi-records', 'example-phi-imaging']),
      grantCacheTtlSeconds: 0,
      decisionStreamName: 'phi-guard-decisions',
      triageStateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage',
      serviceName: 'validator',
      metricsNamespace: 'PhiGuard/Test',
      loggedPrincipalKeys: new Set([
        'arn:aws:iam::111122223333:role/canary-a',
        'arn:aws:iam::111122223333:role/canary-b',
      ]),
    });
  });

  it('applies defaults', () => {
    const environment = readValidatorEnvironment({
      GRANTS_TABLE_NAME: 'phi-guard-grants',
      MONITORED_BUCKETS: '',
    });
    expect(environment.monitoredBuckets).toBeUndefined();
    expect(environment.grantCacheTtlSeconds).toBe(60);
    expect(environment.decisionStreamName).toBeUndefined();
    expect(environment.triageStateMachineArn).toBeUndefined();
    expect(environment.loggedPrincipalKeys).toEqual(new Set());
  });

  it.each([
    [{}, /GRANTS_TABLE_NAME is missing/],
    [{ GRANTS_TABLE_NAME: 't', GRANT_CACHE_TTL_SECONDS: '1.5' }, /GRANT_CACHE_TTL_SECONDS "1.5"/],
    [{ GRANTS_TABLE_NAME: 't', GRANT_CACHE_TTL_SECONDS: '7200' }, /from 0 to 3600/],
    [{ GRANTS_TABLE_NAME: 't', MONITORED_BUCKETS: 'arn:aws:s3:::example-phi-records' }, /not ARNs/],
    [
      { GRANTS_TABLE_NAME: 't', TRIAGE_STATE_MACHINE_ARN: 'phi-guard-triage' },
      /not a Step Functions state machine ARN/,
    ],
  ])('rejects %j', (env, message) => {
    expect(() => readValidatorEnvironment(env)).toThrow(ValidatorConfigurationError);
    expect(() => readValidatorEnvironment(env)).toThrow(message);
  });

  it('lists all problems at once', () => {
    const error = (() => {
      try {
        readValidatorEnvironment({ GRANT_CACHE_TTL_SECONDS: 'soon' });
      } catch (caught) {
        return caught as ValidatorConfigurationError;
      }
      return undefined;
    })();
    expect(error?.problems).toHaveLength(2);
  });
});
