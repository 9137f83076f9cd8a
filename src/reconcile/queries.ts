/**
 * Athena SQL of a reconciliation run. Every value is an execution parameter (`?`); only the table names,
 * which the stack sets and this module validates, are part of the SQL text. Pure: no AWS imports.
 */
import { archivePartitionValues, trailPartitionDates, type ReconciliationWindow } from './window';

/** Glue tables that the comparison reads. */
export interface ReconciliationTables {
  /** Database of the CloudTrail table over the trail bucket. */
  readonly trailDatabase: string;
  /** CloudTrail table, partitioned by `event_date` (`yyyy/MM/dd`). */
  readonly trailTable: string;
  /** Database of the table over the evidence archive. */
  readonly archiveDatabase: string;
  /** Archive table of EventBridge events, partitioned by year, month, day and hour. */
  readonly archiveTable: string;
}

/** One query: SQL with `?` placeholders and the parameters in placeholder order, each a SQL constant. */
export interface ParameterizedQuery {
  readonly sql: string;
  readonly parameters: readonly string[];
}

export interface ComparisonQueries {
  /** Rows `eventid, log_file`: expected events that the archive lacks, with the S3 URI of their log file. */
  readonly missing: ParameterizedQuery;
  /** One row `expected, received`. */
  readonly counts: ParameterizedQuery;
}

const IDENTIFIER = /^[a-z0-9_]{1,255}$/;

/**
 * Builds the two comparison queries for a window.
 * @throws Error when a table or database name is not a lowercase Glue identifier.
 */
export function buildComparisonQueries(
  tables: ReconciliationTables,
  window: ReconciliationWindow,
  monitoredBuckets: readonly string[],
  runAt: Date,
): ComparisonQueries {
  for (const [field, name] of Object.entries(tables)) {
    if (!IDENTIFIER.test(name)) {
      throw new Error(`Invalid ${field} "${name}": expected lowercase letters, digits and underscores.`);
    }
  }
  if (monitoredBuckets.length === 0) {
    throw new Error('Reconciliation needs at least one monitored bucket, got none.');
  }

  const trailDates = trailPartitionDates(window);
  const archive = archivePartitionValues(window, runAt);
  const buckets = monitoredBuckets.join(',');
  const parameters = [
    ...trailDates,
    window.start.toISOString(),
    window.end.toISOString(),
    buckets,
    buckets,
    ...archive.years,
    ...archive.months,
    ...archive.days,
  ].map(quote);
  const shared = commonTableExpressions(tables, trailDates.length, archive);

  return {
    missing: {
      sql:
        `${shared}\nSELECT e.eventid, arbitrary(e.log_file) AS log_file\n` +
        'FROM expected e LEFT JOIN archived a ON e.eventid = a.eventid\n' +
        'WHERE a.eventid IS NULL\nGROUP BY e.eventid\nORDER BY e.eventid',
      parameters,
    },
    counts: {
      sql:
        `${shared}\nSELECT count(DISTINCT e.eventid) AS expected, count(DISTINCT a.eventid) AS received\n` +
        'FROM expected e LEFT JOIN archived a ON e.eventid = a.eventid',
      parameters,
    },
  };
}

/**
 * `expected`: S3 data events of the monitored buckets in the window, selected as the ingestion rules
 * select them. `archived`: event ids in the archive partitions that can hold them.
 */
function commonTableExpressions(
  tables: ReconciliationTables,
  trailDateCount: number,
  archive: { years: string[]; months: string[]; days: string[] },
): string {
  return [
    'WITH expected AS (',
    '  SELECT eventid, "$path" AS log_file',
    `  FROM "${tables.trailDatabase}"."${tables.trailTable}"`,
    `  WHERE event_date IN (${placeholders(trailDateCount)})`,
    "    AND eventsource = 's3.amazonaws.com'",
    "    AND eventcategory = 'Data'",
    '    AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp(?)',
    '    AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp(?)',
    "    AND (contains(split(?, ','), json_extract_scalar(requestparameters, '$.bucketName'))",
    "      OR any_match(resources, r -> strpos(r.arn, '/') > 0",
    "        AND contains(split(?, ','), split_part(split_part(r.arn, ':::', 2), '/', 1))))",
    '),',
    'archived AS (',
    '  SELECT DISTINCT detail.eventid AS eventid',
    `  FROM "${tables.archiveDatabase}"."${tables.archiveTable}"`,
    `  WHERE year IN (${placeholders(archive.years.length)})`,
    `    AND month IN (${placeholders(archive.months.length)})`,
    `    AND day IN (${placeholders(archive.days.length)})`,
    ')',
  ].join('\n');
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * Athena binds each execution parameter as one SQL constant, so a string parameter carries its quotes.
 * Doubling any quote keeps the constant whole whatever the value holds.
 */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
