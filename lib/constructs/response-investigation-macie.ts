/** The Macie branch of the response workflow's investigation: a classification job over the touched objects. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { pollJob } from './response-investigation-polling';
import { failedOutcome, outcome, type ServiceCallProps, serviceTask } from './response-investigation-states';

export const CLASSIFICATION_STATES = {
  startClassification: 'Start classification job',
  isMacieEnabled: 'Is Macie enabled?',
  macieNotEnabled: 'Macie not enabled',
  countClassificationPolls: 'Start counting classification polls',
  waitForClassification: 'Wait for classification job',
  describeClassification: 'Describe classification job',
  isClassificationDone: 'Is the classification job done?',
  countAnotherClassificationPoll: 'Count another classification poll',
  classificationCompleted: 'Classification job completed',
  classificationEnded: 'Classification job ended early',
  classificationTimedOut: 'Classification job timed out',
  classificationFailed: 'Classification job failed',
} as const;

const S = CLASSIFICATION_STATES;

/** Seconds between two polls of the Macie job, which rarely finishes in under ten minutes. */
export const CLASSIFICATION_POLL_SECONDS = 60;

export interface ClassificationJobOptions {
  /** Time after which the workflow stops waiting and reports the job as timed out. */
  readonly timeout: Duration;
}

/**
 * Builds the Macie branch: a one-time classification job over the objects that the incident touched,
 * scoped to their buckets and to keys that start with the touched keys, and polled until it completes.
 * The incident id is the client token, so a retried start reuses the job.
 */
export function buildClassificationJob(scope: Construct, options: ClassificationJobOptions): sfn.IChainable {
  const failed = failedOutcome(
    scope,
    S.classificationFailed,
    'The Macie classification job failed.',
    '$.classificationError',
  );
  const jobId = sfn.JsonPath.stringAt('$.classificationJob.jobId');

  const start = macieTask(scope, S.startClassification, 'createClassificationJob', {
    parameters: classificationJobRequest(scope),
    resultSelector: { 'jobId.$': '$.JobId', 'jobArn.$': '$.JobArn' },
    resultPath: '$.classificationJob',
  });
  start.addCatch(isMacieEnabled(scope, failed), {
    errors: ['Macie2.AccessDeniedException'],
    resultPath: '$.classificationError',
  });
  start.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.classificationError' });

  const describe = macieTask(scope, S.describeClassification, 'describeClassificationJob', {
    parameters: { JobId: jobId },
    resultSelector: { 'status.$': '$.JobStatus' },
    resultPath: '$.classificationStatus',
  });
  describe.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.classificationError' });

  const details = { jobId, jobArn: sfn.JsonPath.stringAt('$.classificationJob.jobArn') };
  return pollJob(scope, {
    stateNames: {
      startCounting: S.countClassificationPolls,
      countAnother: S.countAnotherClassificationPoll,
      wait: S.waitForClassification,
      decide: S.isClassificationDone,
    },
    start,
    getStatus: describe,
    statusPath: '$.classificationStatus.status',
    counterPath: '$.classificationPolls',
    pollInterval: Duration.seconds(CLASSIFICATION_POLL_SECONDS),
    timeout: options.timeout,
    succeededStatus: 'COMPLETE',
    onSucceeded: outcome(scope, S.classificationCompleted, 'completed', {
      summary: sfn.JsonPath.format(
        'Macie classification job {} completed; Macie lists its findings under this job id.',
        jobId,
      ),
      details,
    }),
    endedStatuses: ['CANCELLED', 'USER_PAUSED'],
    onEnded: outcome(scope, S.classificationEnded, 'failed', {
      summary: sfn.JsonPath.format(
        'Macie classification job {} ended with status {}.',
        jobId,
        sfn.JsonPath.stringAt('$.classificationStatus.status'),
      ),
    }),
    onTimeout: outcome(scope, S.classificationTimedOut, 'timed-out', {
      summary: sfn.JsonPath.format(
        `Macie classification job {} did not complete within ${options.timeout.toMinutes()} minutes; it keeps running and Macie lists its findings when it completes.`,
        jobId,
      ),
      details,
    }),
  });
}

function classificationJobRequest(scope: Construct): Record<string, unknown> {
  return {
    ClientToken: sfn.JsonPath.stringAt('$.incident.incidentId'),
    Name: sfn.JsonPath.format('phi-guard-{}', sfn.JsonPath.stringAt('$.incident.incidentId')),
    Description: 'phi-guard: sensitive data in the objects that an incident touched.',
    JobType: 'ONE_TIME',
    ManagedDataIdentifierSelector: 'RECOMMENDED',
    S3JobDefinition: {
      BucketDefinitions: [
        { AccountId: Stack.of(scope).account, Buckets: sfn.JsonPath.listAt('$.touched.buckets') },
      ],
      Scoping: {
        Includes: {
          And: [
            {
              SimpleScopeTerm: {
                Comparator: 'STARTS_WITH',
                Key: 'OBJECT_KEY',
                Values: sfn.JsonPath.listAt('$.touched.keys'),
              },
            },
          ],
        },
      },
    },
  };
}

/**
 * Macie rejects every call with AccessDeniedException and the message "Macie is not enabled" while it
 * is off in the account and Region. Any other access denial is a failure.
 */
function isMacieEnabled(scope: Construct, failed: sfn.State): sfn.Choice {
  return new sfn.Choice(scope, S.isMacieEnabled)
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.classificationError.Cause'),
        sfn.Condition.stringMatches('$.classificationError.Cause', '*Macie is not enabled*'),
      ),
      outcome(scope, S.macieNotEnabled, 'not-enabled', {
        summary: 'Amazon Macie is not enabled in this account and Region, so no classification job ran.',
      }),
    )
    .otherwise(failed);
}

function macieTask(
  scope: Construct,
  name: string,
  action: string,
  props: ServiceCallProps,
): tasks.CallAwsService {
  const jobArns = Stack.of(scope).formatArn({
    service: 'macie2',
    resource: 'classification-job',
    resourceName: '*',
  });
  return serviceTask(scope, name, { service: 'macie2', action, iamResources: [jobArns] }, props);
}
