-- Every PHI request by one principal: pass the same ARN twice, once to match IAM users and sessions by
-- `userIdentity.arn` and once to match role sessions by their role (`sessionIssuer.arn`).
-- Parameters in order: principal ARN, role ARN, first year, last year ('yyyy'), start time (inclusive)
-- and end time (exclusive) in ISO 8601 UTC.
SELECT
  from_iso8601_timestamp(detail.eventtime) AS event_time,
  detail.eventname AS event_name,
  detail.useridentity.arn AS principal_arn,
  detail.requestparameters.bucketname AS bucket,
  detail.requestparameters.key AS object_key,
  detail.requestparameters.prefix AS listed_prefix,
  detail.sourceipaddress AS source_ip,
  detail.vpcendpointid AS vpc_endpoint_id,
  detail.errorcode AS error_code,
  detail.eventid AS event_id
FROM evidence_events
WHERE (detail.useridentity.arn = ? OR detail.useridentity.sessioncontext.sessionissuer.arn = ?)
  AND year BETWEEN ? AND ?
  AND from_iso8601_timestamp(detail.eventtime) >= from_iso8601_timestamp(?)
  AND from_iso8601_timestamp(detail.eventtime) < from_iso8601_timestamp(?)
ORDER BY event_time
