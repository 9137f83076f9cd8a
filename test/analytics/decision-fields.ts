import type { Decision } from '../../src/domain/types';

// A Record over `keyof Decision` makes the compiler reject a missing or an unknown field, so the list
// below follows the type.
const FIELDS: Record<keyof Decision, true> = {
  decisionId: true,
  eventId: true,
  eventTime: true,
  decidedAt: true,
  principal: true,
  principalKey: true,
  identityType: true,
  accountId: true,
  eventName: true,
  action: true,
  bucket: true,
  key: true,
  keyPrefix: true,
  decision: true,
  reason: true,
  grantId: true,
  purpose: true,
  errorCode: true,
  sourceIp: true,
  vpcEndpointId: true,
  incidentId: true,
};

/** Every field of `Decision`, in the order the type declares them. */
export const DECISION_FIELDS = Object.keys(FIELDS) as ReadonlyArray<keyof Decision>;
