/** Formats grants as the CSV grants file: a header row, `actions` joined with `;`, RFC 4180 quoting. */
import { GRANT_FIELDS } from '../../src/domain/grant-rules';
import type { GrantEntry } from './grants';

type Column = Exclude<(typeof GRANT_FIELDS)[number], 'principalKey' | 'sessionName'>;

/** Every grant field except the two that phi-guard derives from `principal`, in the documented order. */
const COLUMNS = GRANT_FIELDS.filter(
  (field): field is Column => field !== 'principalKey' && field !== 'sessionName',
);

export function formatGrantsCsv(grants: readonly GrantEntry[]): string {
  const rows = grants.map((grant) => COLUMNS.map((column) => quote(cellOf(grant, column))).join(','));
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function cellOf(grant: GrantEntry, column: Column): string {
  const value = grant[column];
  if (value === undefined) {
    return '';
  }
  return Array.isArray(value) ? value.join(';') : String(value);
}

function quote(cell: string): string {
  return /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
