/**
 * Runs the compliance packs with acknowledgments ignored, to find acknowledgments whose finding no
 * longer occurs. The gate itself (`findComplianceViolations`) keeps cdk-nag's own acknowledgment logic.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type IApplyRule, NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** A finding id on one construct: a raw finding on a resource, or an acknowledgment on any construct. */
export interface RuleAtPath {
  readonly rule: string;
  readonly path: string;
}

/** Rule id prefixes of the compliance packs; acknowledgments of other ids are not theirs to judge. */
const PACK_PREFIXES = ['HIPAA.Security-', 'AwsSolutions-'];

/** Evaluates a rule as `NagPack.applyRule` does and records every finding, acknowledged or not. */
function recordFindings(packName: string, params: IApplyRule, findings: RuleAtPath[]): void {
  const ruleId = `${packName}-${params.ruleSuffixOverride ?? params.rule.name}`;
  const path = params.node.node.path;
  try {
    const result = params.rule(params.node);
    if (result === NagRuleCompliance.NON_COMPLIANT) {
      findings.push({ rule: ruleId, path });
    } else if (Array.isArray(result)) {
      findings.push(...result.map((finding) => ({ rule: `${ruleId}[${finding}]`, path })));
    }
  } catch {
    // cdk-nag reports a rule that throws as a finding under the bare rule id.
    findings.push({ rule: ruleId, path });
  }
}

class RecordingHipaaChecks extends HIPAASecurityChecks {
  public readonly findings: RuleAtPath[] = [];
  protected override applyRule(params: IApplyRule): void {
    recordFindings(this.readPackName, params, this.findings);
  }
}

class RecordingSolutionsChecks extends AwsSolutionsChecks {
  public readonly findings: RuleAtPath[] = [];
  protected override applyRule(params: IApplyRule): void {
    recordFindings(this.readPackName, params, this.findings);
  }
}

/** Returns every finding of both packs on resources under `scope`, as if nothing were acknowledged. */
export function rawFindings(scope: IConstruct): RuleAtPath[] {
  const packs = [new RecordingHipaaChecks(), new RecordingSolutionsChecks()];
  return packs.flatMap((pack) => {
    pack.validateScope(scope);
    return pack.findings;
  });
}

/** Returns every acknowledgment of a compliance pack rule on `scope` and the constructs under it. */
export function acknowledgments(scope: IConstruct): RuleAtPath[] {
  const found = new Map<string, RuleAtPath>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) {
        continue;
      }
      for (const qualifiedId of Object.keys(entry.data as Record<string, string>)) {
        const rule = qualifiedId.replace(/^annotation::/i, '');
        if (PACK_PREFIXES.some((prefix) => rule.startsWith(prefix))) {
          found.set(`${construct.node.path}|${rule}`, { rule, path: construct.node.path });
        }
      }
    }
  }
  return [...found.values()];
}

/** Returns the acknowledgments that match no raw finding on their construct or below it. */
export function staleAcknowledgments(scope: IConstruct): RuleAtPath[] {
  const findings = rawFindings(scope);
  return acknowledgments(scope).filter(
    (ack) =>
      !findings.some(
        (finding) =>
          finding.rule === ack.rule && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)),
      ),
  );
}
