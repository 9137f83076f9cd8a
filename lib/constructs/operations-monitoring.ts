import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { isEmailAddress } from '../config-rules';
import { OperationsAlarms } from './operations-alarms';

export interface OperationsMonitoringProps {
  /**
   * E-mail addresses subscribed to the operations topic. Each address must confirm its subscription.
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Name of the CloudWatch dashboard.
   * @default - `<stack name>-operations`
   */
  readonly dashboardName?: string;
  /**
   * Removal policy of the topic's KMS key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Operations monitoring of phi-guard: an SNS topic for alarm notifications, encrypted with its own key
 * and reachable only over TLS, and a CloudWatch dashboard. Constructs declare their alarms beside their
 * resources through `alarms`, which sends every alarm to the topic and graphs it on the dashboard.
 */
export class OperationsMonitoring extends Construct {
  /** Topic of alarm notifications; security alerts go to a separate topic. */
  public readonly topic: sns.Topic;
  /** Customer managed key that encrypts the topic. */
  public readonly key: kms.Key;
  public readonly dashboard: cloudwatch.Dashboard;
  /** Creates alarms that notify `topic` and appear on `dashboard`. */
  public readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps = {}) {
    super(scope, id);
    const emails = props.emails ?? [];
    validateEmails(emails);

    this.key = createTopicKey(this, props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'phi-guard operations alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    allowAlarmsToPublish(this.topic);
    for (const email of emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `${Stack.of(this).stackName}-operations`,
    });
    this.alarms = new OperationsAlarms(this.topic, this.dashboard);
    // The widget reads the list when the template is written, so it shows alarms added after this line too.
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'All phi-guard alarms',
        alarms: this.alarms.alarms,
        width: 24,
        height: 6,
      }),
    );
  }
}

/** Creates the topic key. CloudWatch alarms publish as a service, so the key policy lets CloudWatch use it. */
function createTopicKey(scope: Construct, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(scope, 'Key', {
    description: 'phi-guard: encrypts operations alarm notifications in SNS',
    enableKeyRotation: true,
    removalPolicy,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  return key;
}

/**
 * Lets CloudWatch alarms of this account and Region publish. The topic policy that `enforceSSL` writes
 * replaces the default policy, which would otherwise have allowed it.
 */
function allowAlarmsToPublish(topic: sns.Topic): void {
  const stack = Stack.of(topic);
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        },
      },
    }),
  );
}

function validateEmails(emails: readonly string[]): void {
  const invalid = emails.filter((email) => !isEmailAddress(email));
  if (invalid.length > 0) {
    throw new Error(
      `Operations e-mail addresses must look like name@example.org, got ${JSON.stringify(invalid)}.`,
    );
  }
}
