-- Accesses to PHI that no grant covered (decision 'violation'), per day of the access and principal.
-- The principal is its grant key (principalKey), so the sessions of one role count together.
-- Days are UTC days of eventTime. The table's partitions are the days on which Firehose received the
-- decisions, which can fall after the access, so the partition filter reaches one day past the range.
-- Parameters in order: first day and last day ('yyyy-mm-dd'), then the same two days again.
SELECT
  substr(eventtime, 1, 10) AS access_day,
  principalkey AS principal_key,
  count(*) AS violations,
  count(DISTINCT bucket) AS buckets,
  array_join(slice(array_agg(DISTINCT principal), 1, 10), ', ') AS sample_principals
FROM evidence_decisions
WHERE decision = 'violation'
  AND concat(year, '-', month, '-', day) BETWEEN ? AND CAST(date_add('day', 1, date(?)) AS varchar)
  AND substr(eventtime, 1, 10) BETWEEN ? AND ?
GROUP BY substr(eventtime, 1, 10), principalkey
ORDER BY access_day, violations DESC
