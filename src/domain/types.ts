/**
 * Shared domain types of phi-guard. Pure data: no AWS imports.
 *
 * The flow is CloudTrail record -> ObjectAccess[] (one per object or listed prefix)
 * -> Decision (one per ObjectAccess) -> TriageInput (one per principal and batch).
 */

/** Identity types as CloudTrail writes them in `userIdentity.type`, plus `Anonymous` and `Unknown`. */
export type IdentityType =
  | 'IAMUser'
  | 'AssumedRole'
  | 'IdentityCenterUser'
  | 'FederatedUser'
  | 'AWSAccount'
  | 'AWSService'
  | 'Root'
  | 'Anonymous'
  | 'Unknown';

/** The normalized actor of one CloudTrail record. */
export interface Principal {
  /**
   * Canonical key that grants are stored under and looked up by (the grants table's partition key).
   * IAM user: `arn:aws:iam::ACCOUNT:user/NAME` (path removed). Role session: the role,
   * `arn:aws:iam::ACCOUNT:role/NAME` (path removed). Identity Center user:
   * `arn:aws:identitystore:::user/USER_ID`. Federated user: `arn:aws:sts::ACCOUNT:federated-user/NAME`.
   * AWS account (cross-account): `ACCOUNT`. Root user: `root:ACCOUNT`. AWS service: the service name, such
   * as `s3.amazonaws.com`. Anonymous: `anonymous`. An identity that CloudTrail does not name fully (unknown
   * type, missing ARN): `unresolved:TYPE:ID`. No grant principal produces the root, anonymous or unresolved
   * forms, so those accesses to PHI are always violations.
   */
  readonly key: string;
  readonly type: IdentityType;
  /** The ARN CloudTrail reported (`userIdentity.arn`), or the key where CloudTrail reports none. */
  readonly arn: string;
  /** Account the principal belongs to; undefined for anonymous requests and AWS services. */
  readonly accountId?: string;
  /** Role session name for AssumedRole, the user name for IAMUser and FederatedUser. */
  readonly sessionName?: string;
  /** `userIdentity.sessionContext.sourceIdentity`, when the session carries one. */
  readonly sourceIdentity?: string;
  /** Role ARN with its path, as in `sessionContext.sessionIssuer.arn`. */
  readonly roleArn?: string;
  /** True for roles under `/aws-service-role/` and for AWSService identities. */
  readonly serviceLinked: boolean;
  /** True for IAM Identity Center sessions (`AWSReservedSSO_*` roles or `IdentityCenterUser`). */
  readonly identityCenter: boolean;
  /** True when `accountId` differs from the account that owns the bucket (`recipientAccountId`). */
  readonly crossAccount: boolean;
  /** `userIdentity.invokedBy` (an AWS service name) or `AWS Internal`, when present. */
  readonly invokedBy?: string;
  /**
   * `userIdentity.principalId`, when present: `ROLE_ID:SESSION_NAME` for role sessions, the user id for
   * IAM users. Containment uses it for `aws:userid` conditions.
   */
  readonly principalId?: string;
}

/** Kind of access to PHI, the unit that grants allow. */
export type AccessAction = 'read' | 'write' | 'delete' | 'list';

export const ACCESS_ACTIONS: readonly AccessAction[] = ['read', 'write', 'delete', 'list'];

/** One access to one object (or one listed prefix) taken from a CloudTrail data event. */
export interface ObjectAccess {
  /** `eventID` of the CloudTrail record. A DeleteObjects or CopyObject record yields several accesses with one eventId. */
  readonly eventId: string;
  /** Position of this access within its record (0 for the first), so `eventId#index` is unique. */
  readonly index: number;
  /** `eventTime` of the CloudTrail record, ISO 8601 UTC. Decisions are taken at this time. */
  readonly eventTime: string;
  readonly eventName: string;
  readonly principal: Principal;
  readonly action: AccessAction;
  readonly bucket: string;
  /** Object key; for list actions the listed prefix ('' for the whole bucket). Always URL-decoded. */
  readonly key: string;
  /** `errorCode` of the record, such as `AccessDenied`, when the request failed. */
  readonly errorCode?: string;
  readonly sourceIp?: string;
  readonly vpcEndpointId?: string;
  readonly awsRegion?: string;
  /** `recipientAccountId`: the account that received the event (the bucket owner for data events). */
  readonly recipientAccountId?: string;
  readonly requestId?: string;
}

/** Reason a valid record was skipped because it contains nothing to decide. */
export type SkipReason =
  'management-event' | 'network-activity-event' | 'not-s3' | 'no-object-access' | 'unsupported-event-name';

/** Result of parsing one CloudTrail record. Invalid input throws `InvalidRecordError` instead. */
export type ParsedRecord =
  | { readonly status: 'accesses'; readonly eventId: string; readonly accesses: readonly ObjectAccess[] }
  | {
      readonly status: 'skipped';
      readonly eventId?: string;
      readonly eventName?: string;
      readonly reason: SkipReason;
      readonly detail: string;
    };

/** A permission to touch PHI, stored in the grants table. Grants are never deleted; revoking closes the window. */
export interface Grant {
  readonly grantId: string;
  /** As written by the grant author: a user, role, role session or Identity Center user ARN, or an account id. */
  readonly principal: string;
  /** `Principal.key` that `principal` normalizes to; the table's partition key. */
  readonly principalKey: string;
  /** Set when the grant covers one role session only. */
  readonly sessionName?: string;
  readonly bucket: string;
  /** Literal S3 key prefix (no wildcards), or `*` for the whole bucket. */
  readonly prefix: string;
  readonly actions: readonly AccessAction[];
  /** ISO 8601 UTC; inclusive. */
  readonly notBefore: string;
  /** ISO 8601 UTC; exclusive. */
  readonly expiresAt: string;
  /** Purpose of use, such as `treatment` or `operations`. */
  readonly purpose: string;
  /** Break-glass grants authorize, but every access under them opens a review incident. */
  readonly breakGlass: boolean;
  /** ISO 8601 UTC; when set, the grant covers nothing at or after this time. */
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  readonly revocationReason?: string;
}

export type DecisionType = 'authorized' | 'violation' | 'denied' | 'break-glass' | 'service' | 'out-of-scope';

/** The verdict on one ObjectAccess. This is also the document indexed in OpenSearch. */
export interface Decision {
  /** `eventId#index`: unique per access, stable across retries. */
  readonly decisionId: string;
  readonly eventId: string;
  readonly eventTime: string;
  /** Processing time, ISO 8601 UTC. */
  readonly decidedAt: string;
  readonly principal: string;
  readonly principalKey: string;
  readonly identityType: IdentityType;
  readonly accountId?: string;
  readonly eventName: string;
  readonly action: AccessAction;
  readonly bucket: string;
  readonly key: string;
  /** `bucket/` and at most two leading folders of the key, for dashboards; `decideAccess` always sets it. */
  readonly keyPrefix?: string;
  readonly decision: DecisionType;
  /** Why: the grant that matched, or the reason none did, in one sentence. */
  readonly reason: string;
  readonly grantId?: string;
  readonly purpose?: string;
  readonly errorCode?: string;
  readonly sourceIp?: string;
  readonly vpcEndpointId?: string;
  readonly incidentId?: string;
}

/** Input of one Express triage execution: one principal's violations (and break-glass accesses) from one batch. */
export interface TriageInput {
  readonly principal: Principal;
  /** Decisions of type violation, denied or break-glass for this principal. */
  readonly decisions: readonly Decision[];
}
