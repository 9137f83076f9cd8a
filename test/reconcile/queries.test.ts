import { Parser } from 'node-sql-parser';
import { buildComparisonQueries } from '../../src/reconcile/queries';
import {
  archivePartitionValues,
  parseWindow,
  trailPartitionDates,
  windowBefore,
} from '../../src/reconcile/window';

const TABLES = {
  trailDatabase: 'phiguard_investigation',
  trailTable: 'cloudtrail_events',
  archiveDatabase: 'phiguard_evidence',
  archiveTable: 'evidence_events',
};
const RUN_AT = new Date('2025-03-01T03:00:00Z');
const WINDOW = windowBefore(RUN_AT, { windowHours: 26, settleHours: 2 });

describe('reconciliation window', () => {
  test('window before the run', () => {
    expect(WINDOW.start.toISOString()).toBe('2025-02-27T23:00:00.000Z');
    expect(WINDOW.end.toISOString()).toBe('2025-03-01T01:00:00.000Z');
  });

  test('trail dates include the next day', () => {
    expect(trailPartitionDates(WINDOW)).toEqual(['2025/02/27', '2025/02/28', '2025/03/01', '2025/03/02']);
  });

  test('archive partitions reach the run', () => {
    expect(archivePartitionValues(WINDOW, RUN_AT)).toEqual({
      years: ['2025'],
      months: ['02', '03'],
      days: ['27', '28', '01'],
    });
  });

  test.each([
    ['not a time', 'yesterday', '2025-03-01T00:00:00Z'],
    ['end before start', '2025-03-02T00:00:00Z', '2025-03-01T00:00:00Z'],
    ['longer than the limit', '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z'],
  ])('manual window rejects %s', (_name, start, end) => {
    expect(() => parseWindow(start, end, 14)).toThrow(/Invalid reconciliation window/);
  });
});

describe('buildComparisonQueries', () => {
  const queries = buildComparisonQueries(
    TABLES,
    WINDOW,
    ['example-phi-records', 'example-phi-images'],
    RUN_AT,
  );

  test.each(['missing', 'counts'] as const)('%s placeholders match parameters', (name) => {
    const query = queries[name];
    expect(query.sql.split('?').length - 1).toBe(query.parameters.length);
  });

  test.each(['missing', 'counts'] as const)('%s parses as Trino and Athena SQL', (name) => {
    const parser = new Parser();
    const sql = queries[name].sql;
    expect(() => parser.astify(sql, { database: 'trino' })).not.toThrow();
    // The Athena dialect of node-sql-parser rejects `?`, so string constants stand in for the parameters.
    expect(() => parser.astify(sql.replace(/\?/g, "'parameter'"), { database: 'athena' })).not.toThrow();
  });

  test('values are parameters only', () => {
    const sql = queries.missing.sql;
    expect(sql).not.toContain('example-phi-records');
    expect(sql).not.toContain('2025');
    expect(queries.missing.parameters).toContain("'example-phi-records,example-phi-images'");
    expect(queries.missing.parameters).toContain("'2025-02-27T23:00:00.000Z'");
  });

  test('quotes inside values are doubled', () => {
    const query = buildComparisonQueries(TABLES, WINDOW, ["bucket'name"], RUN_AT);
    expect(query.counts.parameters).toContain("'bucket''name'");
  });

  test('rejects an invalid table name', () => {
    expect(() =>
      buildComparisonQueries({ ...TABLES, trailTable: 'events"; DROP' }, WINDOW, ['b'], RUN_AT),
    ).toThrow(/Invalid trailTable/);
  });
});
