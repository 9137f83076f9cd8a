import { Construct } from 'constructs';
import { PhiGuardConfig } from './config';

export interface SecurityEventStackProps {
  /** Validated deployment settings. */
  readonly config: PhiGuardConfig;
}

/**
 * Composes phi-guard's constructs into one pipeline. It is a construct inside `TapStack`, not a
 * separate CloudFormation stack, so that every resource shares one template and one deployment.
 *
 * Detection: PHI buckets -> CloudTrail data events -> EventBridge -> Kinesis -> validator.
 */
export class SecurityEventStack extends Construct {
  constructor(scope: Construct, id: string, props: SecurityEventStackProps) {
    super(scope, id);
    void props;

    // --- Detection: PHI buckets, audit trail, ingestion stream and rule, grant store ---

    // --- Evidence archive and analytics ---

    // --- Incident response ---

    // --- Validator (last, because it receives the decision stream and the triage workflow) ---

    // --- Monitoring ---
  }
}
