import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INCIDENTS_TABLE_DEFINITION } from '../../src/response/incidents-table';

export interface IncidentStoreProps {
  /**
   * Removal policy of the table and its key. With `RETAIN` the table also has deletion protection;
   * `sandbox` deployments pass `DESTROY` so that they can be torn down.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

interface KeyDefinition {
  readonly AttributeName?: string;
  readonly KeyType?: string;
}

interface AttributeDefinition {
  readonly AttributeName?: string;
  readonly AttributeType?: string;
}

/**
 * The incidents table: one item per incident, written by the triage, containment and report steps.
 * Its key schema and indexes come from `INCIDENTS_TABLE_DEFINITION`, which the local tables also use,
 * so that the deployed table and the tested one cannot drift apart.
 */
export class IncidentStore extends Construct {
  public readonly table: dynamodb.Table;
  /** Customer managed key that encrypts the table. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: IncidentStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const attributes: readonly AttributeDefinition[] = INCIDENTS_TABLE_DEFINITION.AttributeDefinitions;
    const keySchema: readonly KeyDefinition[] = INCIDENTS_TABLE_DEFINITION.KeySchema;

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the phi-guard incidents table.',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: partitionKeyOf(keySchema, attributes),
      sortKey: toAttribute(keySchema, 'RANGE', attributes),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.addIndexes(attributes);
    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery keeps 35 days of restorable history and each closed incident has an Object Lock report; an AWS Backup plan is left to the deployer.',
    });
  }

  private addIndexes(attributes: readonly AttributeDefinition[]): void {
    for (const index of INCIDENTS_TABLE_DEFINITION.GlobalSecondaryIndexes) {
      if (!index.IndexName || !index.KeySchema) {
        throw new Error('Every index in INCIDENTS_TABLE_DEFINITION needs an IndexName and a KeySchema.');
      }
      this.table.addGlobalSecondaryIndex({
        indexName: index.IndexName,
        partitionKey: partitionKeyOf(index.KeySchema, attributes),
        sortKey: toAttribute(index.KeySchema, 'RANGE', attributes),
        ...toProjection(index.IndexName, index.Projection),
      });
    }
  }
}

interface ProjectionDefinition {
  readonly ProjectionType?: string;
  readonly NonKeyAttributes?: readonly string[];
}

function toProjection(
  indexName: string,
  projection: ProjectionDefinition | undefined,
): { projectionType: dynamodb.ProjectionType; nonKeyAttributes?: string[] } {
  switch (projection?.ProjectionType ?? 'ALL') {
    case 'ALL':
      return { projectionType: dynamodb.ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: dynamodb.ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return {
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...(projection?.NonKeyAttributes ?? [])],
      };
    default:
      throw new Error(
        `Index "${indexName}" has projection type ${JSON.stringify(projection?.ProjectionType)}; expected ALL, KEYS_ONLY or INCLUDE.`,
      );
  }
}

function partitionKeyOf(
  keySchema: readonly KeyDefinition[],
  attributes: readonly AttributeDefinition[],
): dynamodb.Attribute {
  const attribute = toAttribute(keySchema, 'HASH', attributes);
  if (attribute === undefined) {
    throw new Error(
      'INCIDENTS_TABLE_DEFINITION has no HASH key, but the incidents table needs a partition key.',
    );
  }
  return attribute;
}

/** Maps the key of one type in an SDK key schema to a CDK attribute; undefined when the schema has none. */
function toAttribute(
  keySchema: readonly KeyDefinition[],
  keyType: 'HASH' | 'RANGE',
  attributes: readonly AttributeDefinition[],
): dynamodb.Attribute | undefined {
  const name = keySchema.find((key) => key.KeyType === keyType)?.AttributeName;
  if (name === undefined) {
    return undefined;
  }
  const attributeType = attributes.find((attribute) => attribute.AttributeName === name)?.AttributeType;
  return { name, type: toAttributeType(name, attributeType) };
}

function toAttributeType(name: string, attributeType: string | undefined): dynamodb.AttributeType {
  switch (attributeType) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
    default:
      throw new Error(
        `Key attribute "${name}" of the incidents table has type ${JSON.stringify(attributeType)}; expected S, N or B.`,
      );
  }
}
