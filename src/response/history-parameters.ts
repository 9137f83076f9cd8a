/**
 * Execution parameters of the response workflow's Athena history query. Athena substitutes each
 * parameter as a SQL expression, so every value is passed as a string literal with its quotes doubled:
 * a principal name with a quote stays one constant and cannot add SQL. Pure: no AWS imports.
 */
import type { Incident } from './types';

/** Returns `value` as a SQL string literal: single quotes around it, every quote inside doubled. */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Returns the three `?` values of the history query, in order: the incident's opening time, the
 * principal ARN, and the ARN that `sessionissuer.arn` is compared with (the role, for a role session).
 */
export function historyQueryParameters(incident: Incident): string[] {
  const { principal } = incident;
  return [incident.openedAt, principal.arn, principal.roleArn ?? principal.arn].map(sqlStringLiteral);
}
