/** The principal forms a grant may name, and the `Principal.key` each one covers. */
import { InvalidGrantError } from './errors';
import {
  federatedUserKey,
  identityCenterUserKey,
  parsePrincipalArn,
  roleKey,
  userKey,
} from './principal-arn';

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Normalizes a grant principal to the `Principal.key` it covers.
 *
 * Accepts an IAM user ARN, a role ARN, a federated user ARN and an Identity Center user
 * (`arn:aws:identitystore:::user/USER_ID`). A role session ARN
 * (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) covers that session of the role only, so
 * `sessionName` is set. A 12-digit account id and `arn:aws:iam::ACCOUNT:root` both cover the requests that
 * CloudTrail attributes to the account itself. IAM paths are removed, because user and role names are
 * unique within an account.
 *
 * @throws InvalidGrantError for any other form.
 */
export function principalKeyOf(principal: string): { principalKey: string; sessionName?: string } {
  if (ACCOUNT_ID.test(principal)) return { principalKey: principal };

  const arn = parsePrincipalArn(principal);
  switch (arn?.kind) {
    case 'root':
      return { principalKey: arn.accountId };
    case 'user':
      return { principalKey: userKey(arn.partition, arn.accountId, arn.name) };
    case 'role':
      return { principalKey: roleKey(arn.partition, arn.accountId, arn.name) };
    case 'assumed-role':
      return {
        principalKey: roleKey(arn.partition, arn.accountId, arn.roleName),
        sessionName: arn.sessionName,
      };
    case 'federated-user':
      return { principalKey: federatedUserKey(arn.partition, arn.accountId, arn.name) };
    case 'identity-center-user':
      return { principalKey: identityCenterUserKey(arn.userId) };
    default:
      throw new InvalidGrantError(
        `Principal "${principal}" is not a supported form. Use an IAM user or role ARN, a role session ARN ` +
          '(arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), an Identity Center user ' +
          '(arn:aws:identitystore:::user/USER_ID), a federated user ARN, or a 12-digit account id.',
      );
  }
}
