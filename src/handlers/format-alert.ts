/**
 * Lambda entry that formats the alert text for an SNS Publish task of the response workflow.
 *
 * Input: `AlertInput` (`{ incident, containment, kind?, report?, error? }`).
 * Output: `{ subject, message }`. Environment: none.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { formatAlert, type AlertInput, type AlertMessage } from '../response/alert-message';

export type FormatAlertHandler = (event: AlertInput, context?: Context) => Promise<AlertMessage>;

/** Creates the handler. The logger is its only dependency. */
export function createFormatAlertHandler(
  logger = new Logger({ serviceName: 'phi-guard-alert' }),
): FormatAlertHandler {
  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);

    const alert = formatAlert(event);
    logger.info('Alert formatted', {
      incidentId: event.incident.incidentId,
      alertKind: event.kind ?? 'incident',
    });
    return alert;
  };
}

/** Lambda handler. */
export const handler: FormatAlertHandler = createFormatAlertHandler();
