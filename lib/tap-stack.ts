import { Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PhiGuardConfig, readConfig } from './config';
import { SecurityEventStack } from './security_event';

export interface TapStackProps extends StackProps {
  /**
   * Settings to use instead of CDK context. Tests and integ tests pass them directly.
   * @default - read from CDK context with `readConfig`
   */
  readonly config?: PhiGuardConfig;
}

/** The deployable phi-guard stack: reads its settings from CDK context and composes the security event pipeline. */
export class TapStack extends Stack {
  public readonly config: PhiGuardConfig;
  public readonly securityEvents: SecurityEventStack;

  constructor(scope: Construct, id: string, props: TapStackProps = {}) {
    super(scope, id, props);

    this.config = props.config ?? readConfig((key) => this.node.tryGetContext(key));
    Tags.of(this).add('application', 'phi-guard');
    Tags.of(this).add('phi-guard:profile', this.config.profile);

    this.securityEvents = new SecurityEventStack(this, 'SecurityEvents', { config: this.config });
  }
}
