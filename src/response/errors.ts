/** Errors raised by the incident response runtime. */

/** A triage input that breaks the contract. Retrying it gives the same result. */
export class InvalidTriageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTriageInputError';
  }
}

/** An incident id with no incident item. */
export class IncidentNotFoundError extends Error {
  readonly incidentId: string;

  constructor(incidentId: string) {
    super(`Incident ${incidentId} was not found in the incidents table.`);
    this.name = 'IncidentNotFoundError';
    this.incidentId = incidentId;
  }
}

/**
 * Conditional writes kept failing because other executions changed the same item. The error is transient:
 * the caller retries the whole operation.
 */
export class IncidentWriteConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncidentWriteConflictError';
  }
}

/** A report request without a valid incident id. Retrying it gives the same result. */
export class InvalidReportRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReportRequestError';
  }
}
