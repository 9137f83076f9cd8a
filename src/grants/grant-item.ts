import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ACCESS_ACTIONS, type AccessAction, type Grant } from '../domain/types';
import { InvalidGrantItemError } from './errors';

export type GrantItem = Record<string, AttributeValue>;

const REQUIRED_STRING_FIELDS = [
  'grantId',
  'principal',
  'principalKey',
  'bucket',
  'prefix',
  'notBefore',
  'expiresAt',
  'purpose',
] as const;

const OPTIONAL_STRING_FIELDS = ['sessionName', 'revokedAt', 'revokedBy', 'revocationReason'] as const;

/** Converts a grant to a DynamoDB item. Attribute names are the field names of `Grant`. */
export function grantToItem(grant: Grant): GrantItem {
  const item: GrantItem = {
    actions: { L: grant.actions.map((action) => ({ S: action })) },
    breakGlass: { BOOL: grant.breakGlass },
  };
  for (const field of REQUIRED_STRING_FIELDS) {
    item[field] = { S: grant[field] };
  }
  for (const field of OPTIONAL_STRING_FIELDS) {
    const value = grant[field];
    if (value !== undefined) {
      item[field] = { S: value };
    }
  }
  return item;
}

/**
 * Converts a DynamoDB item back to a grant.
 * @throws InvalidGrantItemError when a field is missing or has the wrong type, so that a damaged item
 *   stops the lookup instead of being ignored (ignoring it could turn an authorized access into a violation).
 */
export function grantFromItem(item: GrantItem): Grant {
  const grantId = item.grantId?.S;
  const grant: Record<string, unknown> = {
    actions: readActions(item, grantId),
    breakGlass: readBoolean(item, 'breakGlass', grantId),
  };
  for (const field of REQUIRED_STRING_FIELDS) {
    const value = item[field]?.S;
    if (value === undefined) {
      throw new InvalidGrantItemError(grantId, `attribute "${field}" is missing or not a string`);
    }
    grant[field] = value;
  }
  for (const field of OPTIONAL_STRING_FIELDS) {
    const value = item[field]?.S;
    if (value !== undefined) {
      grant[field] = value;
    }
  }
  return grant as unknown as Grant;
}

function readActions(item: GrantItem, grantId: string | undefined): AccessAction[] {
  const list = item.actions?.L;
  if (list === undefined) {
    throw new InvalidGrantItemError(grantId, 'attribute "actions" is missing or not a list');
  }
  return list.map((value) => {
    const action = value.S as AccessAction | undefined;
    if (action === undefined || !ACCESS_ACTIONS.includes(action)) {
      throw new InvalidGrantItemError(
        grantId,
        `action ${JSON.stringify(value.S)} is not one of ${ACCESS_ACTIONS.join(', ')}`,
      );
    }
    return action;
  });
}

function readBoolean(item: GrantItem, field: string, grantId: string | undefined): boolean {
  const value = item[field]?.BOOL;
  if (value === undefined) {
    throw new InvalidGrantItemError(grantId, `attribute "${field}" is missing or not a boolean`);
  }
  return value;
}
