-- Requests that S3 rejected, per day and error code, with the principals that made them. Violations
-- (requests that IAM allowed but no grant covered) are counted by violations-by-day.sql.
-- Parameters in order: first year and last year ('yyyy').
SELECT
  concat(year, '-', month, '-', day) AS event_day,
  detail.errorcode AS error_code,
  count(*) AS requests,
  count(DISTINCT detail.useridentity.arn) AS principals,
  array_join(slice(array_agg(DISTINCT detail.useridentity.arn), 1, 10), ', ') AS sample_principals
FROM evidence_events
WHERE detail.errorcode IS NOT NULL
  AND year BETWEEN ? AND ?
GROUP BY concat(year, '-', month, '-', day), detail.errorcode
ORDER BY event_day, requests DESC
