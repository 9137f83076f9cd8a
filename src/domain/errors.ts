/** Errors raised by the domain layer. Handlers map them to dead-letter records or CLI messages. */

/** A CloudTrail document or record that cannot be parsed. Retrying it gives the same result. */
export class InvalidRecordError extends Error {
  /** `eventID` of the record, when the record carries one. */
  readonly eventId?: string;

  constructor(message: string, eventId?: string) {
    super(message);
    this.name = 'InvalidRecordError';
    this.eventId = eventId;
  }
}

/** A grant, grant principal or revocation that breaks the grant rules. */
export class InvalidGrantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidGrantError';
  }
}
