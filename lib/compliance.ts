/**
 * The compliance gate: cdk-nag's HIPAA Security and AWS Solutions packs over the whole construct tree.
 * A finding passes only when `Validations.of(construct).acknowledge({ id, reason })` acknowledges it on
 * the resource or one of its parents.
 */
import {
  type App,
  Stack,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** One unacknowledged cdk-nag finding. */
export interface NagFinding {
  /** Rule id, with the finding in brackets where a rule reports several, such as `AwsSolutions-IAM5[Resource::*]`. */
  readonly rule: string;
  /** Construct path of the resource. */
  readonly path: string;
  /** `error` or `warning`; the gate rejects both. */
  readonly severity: string;
}

/**
 * Context that makes the app itself fail synthesis on validation findings. The `cdk` CLI (2.1149) sets
 * `@aws-cdk/core:failSynthOnValidationErrors` to false and reads `validation-report.json` instead, but
 * aws-cdk-lib 2.257.0 writes `policy-validation-report.json`, so without this context the CLI would
 * report nothing and exit 0. Pass it as `postCliContext`, which takes precedence over the CLI's context.
 */
export const FAIL_SYNTH_ON_FINDINGS_CONTEXT = { '@aws-cdk/core:failSynthOnValidationErrors': true } as const;

/** Creates the cdk-nag packs that every phi-guard synthesis must pass. */
export function compliancePacks(): NagPack[] {
  return [new HIPAASecurityChecks(), new AwsSolutionsChecks()];
}

/**
 * Runs one cdk-nag pack as a CDK policy validation plugin. cdk-nag 3.0.2 expects the construct tree on
 * the validation context, but aws-cdk-lib 2.257.0 passes template paths only. So this plugin keeps a
 * reference to the tree and calls `validateScope`.
 */
export class NagPackValidation implements IPolicyValidationPlugin {
  public readonly name: string;

  constructor(
    private readonly pack: NagPack,
    private readonly scope: IConstruct,
  ) {
    this.name = pack.readPackName;
  }

  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.pack.validateScope(this.scope);
  }
}

/**
 * Registers the compliance packs on `app`. After synthesis, CDK writes `policy-validation-report.json`
 * into the cloud assembly. When the app was created with `FAIL_SYNTH_ON_FINDINGS_CONTEXT`, CDK also prints
 * every unacknowledged finding, errors and warnings alike, and sets the exit code to 1, so that
 * `cdk synth` and `cdk deploy` stop.
 */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(...compliancePacks().map((pack) => new NagPackValidation(pack, app)));
}

/**
 * Acknowledges one cdk-nag finding on `construct`, as `Validations.of(construct).acknowledge` does.
 * `acknowledge` rejects ids with more than one `::`, and every finding on an ARN built from pseudo
 * parameters has several (`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:...]`), so this writes the
 * construct metadata that `acknowledge` writes and cdk-nag reads. Use `acknowledge` for every other id.
 */
export function acknowledgeFinding(
  construct: IConstruct,
  acknowledgment: { id: string; reason: string },
): void {
  construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    [acknowledgment.id]: acknowledgment.reason,
  });
}

/**
 * Returns the id of the AwsSolutions-IAM5 finding on the wildcard resource `arn`, as cdk-nag writes it for
 * `scope`'s stack. The id depends on the stack's environment: `<AWS::Region>` when it is agnostic,
 * `us-east-1` when the stack has a Region.
 */
export function wildcardResourceFindingId(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}

/** Returns the unacknowledged findings of the compliance packs on `scope` and everything under it. */
export function findComplianceViolations(scope: IConstruct): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const pack of compliancePacks()) {
    for (const violation of pack.validateScope(scope).violations) {
      for (const resource of violation.violatingResources) {
        findings.push({
          rule: violation.ruleName,
          path: resource.constructPath ?? '',
          severity: violation.severity ?? 'error',
        });
      }
    }
  }
  return findings;
}
