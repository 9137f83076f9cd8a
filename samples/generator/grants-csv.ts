/** Formats grants as the CSV grants file: a header row, `actions` joined with `;`, RFC 4180 quoting. */
import type { GrantEntry } from './grants';

const COLUMNS = [
  'grantId',
  'principal',
  'bucket',
  'prefix',
  'actions',
  'notBefore',
  'expiresAt',
  'purpose',
  'breakGlass',
  'revokedAt',
  'revokedBy',
  'revocationReason',
] as const;

export function formatGrantsCsv(grants: readonly GrantEntry[]): string {
  const rows = grants.map((grant) => COLUMNS.map((column) => quote(cellOf(grant, column))).join(','));
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function cellOf(grant: GrantEntry, column: (typeof COLUMNS)[number]): string {
  const value = grant[column];
  if (value === undefined) {
    return '';
  }
  return Array.isArray(value) ? value.join(';') : String(value);
}

function quote(cell: string): string {
  return /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
