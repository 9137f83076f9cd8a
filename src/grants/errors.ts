/** Errors of the grants table adapter. Each message names the grant ids involved and what to do next. */
import type { GrantRejection } from './grant-writer';

/** An item in the grants table does not have the shape of a grant, so it cannot be matched against accesses. */
export class InvalidGrantItemError extends Error {
  constructor(
    readonly grantId: string | undefined,
    detail: string,
  ) {
    super(
      `Grants table item ${grantId ?? '(without grantId)'} is invalid: ${detail}. Rewrite it with put-grants.`,
    );
    this.name = 'InvalidGrantItemError';
  }
}

export class GrantNotFoundError extends Error {
  /** @param principalKey the key that was searched, when the lookup was by primary key. */
  constructor(
    readonly grantId: string,
    readonly principalKey?: string,
  ) {
    super(
      principalKey === undefined
        ? `Grant ${grantId} was not found in the grants table.`
        : `Grant ${grantId} was not found under principal key ${principalKey} in the grants table.`,
    );
    this.name = 'GrantNotFoundError';
  }
}

/** More than one item carries one grant id, so an operation by id cannot tell which grant is meant. */
export class DuplicateGrantIdError extends Error {
  constructor(
    readonly grantId: string,
    readonly principalKeys: readonly string[],
  ) {
    super(
      `Grant id ${grantId} is stored under ${principalKeys.length} principal keys (${principalKeys.join(', ')}); ` +
        'grant ids must be unique.',
    );
    this.name = 'DuplicateGrantIdError';
  }
}

export class GrantAlreadyRevokedError extends Error {
  constructor(
    readonly grantId: string,
    readonly revokedAt: string | undefined,
  ) {
    super(
      `Grant ${grantId} was already revoked at ${revokedAt ?? 'an unknown time'}, and a revocation in effect is ` +
        'never overwritten.',
    );
    this.name = 'GrantAlreadyRevokedError';
  }
}

/**
 * Another writer changed the stored revocation of a grant while it was being revoked, and the grant can
 * still be revoked.
 */
export class GrantChangedError extends Error {
  constructor(readonly grantId: string) {
    super(
      `Grant ${grantId} changed while it was being revoked, so it was not revoked. Run the revocation again.`,
    );
    this.name = 'GrantChangedError';
  }
}

/** DynamoDB still throttled the writes of some grants after every retry, so they were not written. */
export class UnprocessedGrantsError extends Error {
  constructor(
    readonly grantIds: readonly string[],
    attempts: number,
  ) {
    super(
      `${grantsWere(grantIds.length)} still throttled after ${attempts} attempts each and not written ` +
        `(${listFirstTen(grantIds)}). Run the import again, which writes them and reports the stored grants as unchanged.`,
    );
    this.name = 'UnprocessedGrantsError';
  }
}

/** Some grants were rejected, because writing them would overwrite a revocation or reuse another principal's grant id. */
export class GrantsRejectedError extends Error {
  constructor(readonly rejections: readonly GrantRejection[]) {
    super(
      `${grantsWere(rejections.length)} rejected and not written, and the other grants were written. ` +
        rejections
          .slice(0, 10)
          .map((rejection) => rejection.message)
          .join(' ') +
        (rejections.length > 10 ? ` ${rejections.length - 10} more are not shown.` : ''),
    );
    this.name = 'GrantsRejectedError';
  }
}

function grantsWere(count: number): string {
  return count === 1 ? '1 grant was' : `${count} grants were`;
}

function listFirstTen(grantIds: readonly string[]): string {
  return `${grantIds.slice(0, 10).join(', ')}${grantIds.length > 10 ? ', ...' : ''}`;
}
