import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  GRANT_ID_INDEX_NAME,
  GRANTS_PARTITION_KEY,
  GRANTS_SORT_KEY,
} from '../../src/grants/table-definition';

export interface GrantStoreProps {
  /**
   * Removal policy of the table and its KMS key. Grants are the record of who was allowed to
   * touch PHI, so production keeps them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The grants table: one item per grant under the principal's key, with the `grantId-index` index
 * to find a grant by id. On-demand billing, point-in-time recovery, deletion protection and a
 * customer-managed KMS key.
 */
export class GrantStore extends Construct {
  /** The grants table. */
  public readonly table: dynamodb.Table;
  /** KMS key of the table. Readers need `kms:Decrypt` on it. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: GrantStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'TableKey', {
      description: 'phi-guard: encrypts the grants table',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: GRANTS_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: GRANTS_SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GRANT_ID_INDEX_NAME,
      partitionKey: { name: GRANTS_SORT_KEY, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery keeps 35 days of restorable history. An AWS Backup plan is left to the deployer.',
    });
  }
}
