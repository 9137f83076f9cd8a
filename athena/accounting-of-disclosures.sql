-- Accounting of disclosures (HIPAA, 45 CFR 164.528): every request for objects under one key prefix,
-- for example one patient's folder, within a time range.
-- Parameters in order: bucket name, key prefix, first year and last year of the range ('yyyy', which
-- prunes partitions), start time (inclusive) and end time (exclusive) in ISO 8601 UTC.
SELECT
  from_iso8601_timestamp(detail.eventtime) AS event_time,
  detail.eventname AS event_name,
  detail.useridentity.type AS identity_type,
  detail.useridentity.arn AS principal_arn,
  detail.useridentity.accountid AS principal_account,
  detail.useridentity.sessioncontext.sessionissuer.arn AS role_arn,
  detail.requestparameters.bucketname AS bucket,
  detail.requestparameters.key AS object_key,
  detail.sourceipaddress AS source_ip,
  detail.errorcode AS error_code,
  detail.eventid AS event_id
FROM evidence_events
WHERE detail.requestparameters.bucketname = ?
  AND starts_with(detail.requestparameters.key, ?)
  AND year BETWEEN ? AND ?
  AND from_iso8601_timestamp(detail.eventtime) >= from_iso8601_timestamp(?)
  AND from_iso8601_timestamp(detail.eventtime) < from_iso8601_timestamp(?)
ORDER BY event_time
