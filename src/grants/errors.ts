/** Errors of the grants table adapter. Each message names the grant ids involved and what to do next. */

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
  constructor(readonly grantId: string) {
    super(`Grant ${grantId} was not found in the grants table.`);
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
      `Grant ${grantId} was already revoked at ${revokedAt ?? 'an unknown time'}; revocations are never overwritten.`,
    );
    this.name = 'GrantAlreadyRevokedError';
  }
}

/** BatchWriteItem still returned some grants as unprocessed after every retry. */
export class UnprocessedGrantsError extends Error {
  constructor(
    readonly grantIds: readonly string[],
    attempts: number,
  ) {
    super(
      `${grantIds.length} grants were still unprocessed after ${attempts} BatchWriteItem attempts ` +
        `(${grantIds.slice(0, 10).join(', ')}${grantIds.length > 10 ? ', ...' : ''}). ` +
        'The table is probably throttled: run the import again, which overwrites grants by id.',
    );
    this.name = 'UnprocessedGrantsError';
  }
}
