/** Pass and task states that both investigation branches build. */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** Fields of an AWS SDK call that the investigation branches set per task. */
export type ServiceCallProps = Pick<
  tasks.CallAwsServiceProps,
  'parameters' | 'resultSelector' | 'resultPath'
>;

/** Creates a Pass state whose output is one `InvestigationOutcome`. */
export function outcome(
  scope: Construct,
  name: string,
  status: string,
  fields: Record<string, unknown>,
): sfn.Pass {
  return new sfn.Pass(scope, name, { parameters: { status, ...fields } });
}

/** Creates a `failed` outcome whose `error` is the JSON text of the object at `errorPath`. */
export function failedOutcome(scope: Construct, name: string, summary: string, errorPath: string): sfn.Pass {
  return outcome(scope, name, 'failed', {
    summary,
    error: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(errorPath)),
  });
}

/** Creates an AWS SDK task that calls `action` of `service` and grants that IAM action on `iamResources` only. */
export function serviceTask(
  scope: Construct,
  name: string,
  call: { readonly service: string; readonly action: string; readonly iamResources: string[] },
  props: ServiceCallProps,
): tasks.CallAwsService {
  return new tasks.CallAwsService(scope, name, {
    ...call,
    iamAction: iamActionOf(call.service, call.action),
    ...props,
  });
}

/** IAM spells actions in PascalCase (`athena:StartQueryExecution`), SDK integrations in camelCase. */
function iamActionOf(service: string, action: string): string {
  return `${service}:${action.charAt(0).toUpperCase()}${action.slice(1)}`;
}
