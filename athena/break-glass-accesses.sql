-- Every PHI request made through one break-glass role, for the review that each break-glass access
-- requires. The archive does not know which grant was used, so the role identifies the accesses.
-- Parameters in order: break-glass role ARN, first year, last year ('yyyy'), start time (inclusive)
-- and end time (exclusive) in ISO 8601 UTC.
SELECT
  from_iso8601_timestamp(detail.eventtime) AS event_time,
  detail.useridentity.arn AS session_arn,
  detail.useridentity.sessioncontext.sourceidentity AS source_identity,
  detail.eventname AS event_name,
  detail.requestparameters.bucketname AS bucket,
  detail.requestparameters.key AS object_key,
  detail.sourceipaddress AS source_ip,
  detail.errorcode AS error_code,
  detail.eventid AS event_id
FROM evidence_events
WHERE detail.useridentity.sessioncontext.sessionissuer.arn = ?
  AND year BETWEEN ? AND ?
  AND from_iso8601_timestamp(detail.eventtime) >= from_iso8601_timestamp(?)
  AND from_iso8601_timestamp(detail.eventtime) < from_iso8601_timestamp(?)
ORDER BY event_time
