import type { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/** Names of the states that `pollJob` creates. */
export interface JobPollStateNames {
  /** Pass state that sets the poll count to zero. */
  readonly startCounting: string;
  /** Pass state that adds one to the poll count. */
  readonly countAnother: string;
  /** Wait state before each poll. */
  readonly wait: string;
  /** Choice state that routes on the job status. */
  readonly decide: string;
}

/** A job that a branch starts and then polls until it reaches a final status or times out. */
export interface JobPollOptions {
  /** Names of the states that `pollJob` creates. */
  readonly stateNames: JobPollStateNames;
  /** Task that starts the job. */
  readonly start: sfn.TaskStateBase;
  /** Task that writes the job status to `statusPath`. */
  readonly getStatus: sfn.TaskStateBase;
  /** JSON path of the job status string. */
  readonly statusPath: string;
  /** JSON path of the poll counter, an object whose `count` field is the number of polls so far. */
  readonly counterPath: string;
  /** Time between two polls. */
  readonly pollInterval: Duration;
  /** Time after which polling stops and `onTimeout` runs. */
  readonly timeout: Duration;
  /** Status of a job that succeeded. */
  readonly succeededStatus: string;
  /** States that run after the job succeeded. */
  readonly onSucceeded: sfn.IChainable;
  /** Statuses of a job that ended without success. */
  readonly endedStatuses: readonly string[];
  /** States that run after the job ended without success. */
  readonly onEnded: sfn.IChainable;
  /** States that run when the job has not finished within `timeout`. */
  readonly onTimeout: sfn.IChainable;
}

/**
 * Chains start -> count -> wait -> get status -> decide. The Choice state routes the succeeded and
 * the ended statuses first, then runs `onTimeout` once the last poll has run, and otherwise counts
 * another poll and waits again.
 */
export function pollJob(scope: Construct, options: JobPollOptions): sfn.IChainable {
  // The Wait state is created before the Choice state because the CDKMetadata resource lists construct
  // types in the order of their first creation. Swapping the two changes this app's template.
  const wait = new sfn.Wait(scope, options.stateNames.wait, {
    time: sfn.WaitTime.duration(options.pollInterval),
  });
  const decide = statusChoice(scope, options);
  return options.start.next(pollLoop(scope, options, wait, decide));
}

function statusChoice(scope: Construct, options: JobPollOptions): sfn.Choice {
  const { statusPath } = options;
  const isEnded = options.endedStatuses.map((status) => sfn.Condition.stringEquals(statusPath, status));
  return new sfn.Choice(scope, options.stateNames.decide)
    .when(sfn.Condition.stringEquals(statusPath, options.succeededStatus), options.onSucceeded)
    .when(sfn.Condition.or(...isEnded), options.onEnded);
}

/** Wires count -> wait -> get status -> decide, looping back to wait until the last poll has run. */
function pollLoop(
  scope: Construct,
  options: JobPollOptions,
  wait: sfn.Wait,
  decide: sfn.Choice,
): sfn.IChainable {
  const { stateNames, counterPath } = options;
  const countPath = `${counterPath}.count`;
  const startCounting = new sfn.Pass(scope, stateNames.startCounting, {
    parameters: { count: 0 },
    resultPath: counterPath,
  });
  const countAnother = new sfn.Pass(scope, stateNames.countAnother, {
    parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt(countPath), 1) },
    resultPath: counterPath,
  });
  const maxPolls = Math.ceil(options.timeout.toSeconds() / options.pollInterval.toSeconds());

  decide
    .when(sfn.Condition.numberGreaterThanEquals(countPath, maxPolls - 1), options.onTimeout)
    .otherwise(countAnother.next(wait));
  return startCounting.next(wait).next(options.getStatus).next(decide);
}
