import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { isEmailAddress } from '../config-rules';

export interface SecurityAlertsProps {
  /**
   * E-mail addresses subscribed to the topic. Each address must confirm its subscription.
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Service principals, besides IAM roles of this account, that publish to the topic and so need the key.
   * @default ['cloudwatch.amazonaws.com', 'events.amazonaws.com']
   */
  readonly publishingServices?: readonly string[];
  /**
   * Removal policy of the key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DEFAULT_PUBLISHING_SERVICES = ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];

/**
 * The SNS topic that carries security alerts (containment, escalations, reports) to the security team.
 * Messages are encrypted with a customer managed key, and the topic policy rejects requests without TLS.
 */
export class SecurityAlerts extends Construct {
  public readonly topic: sns.Topic;
  /** Customer managed key that encrypts the topic's messages. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: SecurityAlertsProps = {}) {
    super(scope, id);
    const emails = props.emails ?? [];
    validateEmails(emails);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts phi-guard security alerts in SNS.',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.allowServicesToPublish(props.publishingServices ?? DEFAULT_PUBLISHING_SERVICES);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'phi-guard security alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }

  /**
   * Lets AWS services that publish on their own behalf (alarms, EventBridge rules) use the key.
   * IAM roles of this account get the key through their own grants instead.
   */
  private allowServicesToPublish(services: readonly string[]): void {
    if (services.length === 0) {
      return;
    }
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPublishingServices',
        principals: services.map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}

function validateEmails(emails: readonly string[]): void {
  const invalid = emails.filter((email) => !isEmailAddress(email));
  if (invalid.length > 0) {
    throw new Error(
      `Alert e-mail addresses must look like name@example.org, got ${JSON.stringify(invalid)}.`,
    );
  }
}
