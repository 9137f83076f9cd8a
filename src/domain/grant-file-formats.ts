/**
 * Low-level readers for grants files: line numbers of JSON array elements, and RFC 4180 CSV records
 * converted to grant field values.
 */
import { GRANT_FIELDS, type GrantProblem } from './grant-rules';

/**
 * Returns the line on which each element of the grants array starts: the top-level array when
 * `wrapperKey` is undefined, otherwise the array under that key of the top-level object.
 * The text must be valid JSON.
 */
export function locateJsonArrayElements(text: string, wrapperKey: string | undefined): number[] {
  const lines: number[] = [];
  const targetDepth = wrapperKey === undefined ? 1 : 2;
  let depth = 0;
  let line = 1;
  let lastString = '';
  let insideTarget = false;
  let awaitingElement = false;

  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\n') line++;
    if (/\s/.test(char)) continue;

    if (awaitingElement && char !== ']') lines.push(line);
    awaitingElement = false;

    if (char === '"') {
      const end = findStringEnd(text, index);
      lastString = text.slice(index + 1, end);
      index = end;
    } else if (char === '[' || char === '{') {
      depth++;
      const opensTarget =
        char === '[' && depth === targetDepth && (wrapperKey === undefined || lastString === wrapperKey);
      insideTarget ||= opensTarget;
      awaitingElement = opensTarget;
    } else if (char === ']' || char === '}') {
      if (depth === targetDepth) insideTarget = false;
      depth--;
    } else if (char === ',' && depth === targetDepth && insideTarget) {
      awaitingElement = true;
    }
  }

  return lines;
}

/** Returns the index of the quote that closes the string opened at `start`. */
function findStringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index;
  }

  return text.length;
}

/** Finds the line of a JSON.parse error from the line or position that V8 puts in its message. */
export function lineOfJsonError(text: string, message: string): number {
  const lineMatch = /\(line (\d+) column \d+\)/.exec(message);
  if (lineMatch) return Number(lineMatch[1]);

  const positionMatch = /at position (\d+)/.exec(message);
  if (!positionMatch) return 1;

  return text.slice(0, Number(positionMatch[1])).split('\n').length;
}

/** One CSV data row as grant field values, and the line it starts on. */
export interface CsvGrantRow {
  readonly line: number;
  readonly fields: Record<string, unknown>;
}

/**
 * Reads a CSV grants file: the first record is the header of field names, and every later record a grant.
 * Empty cells are left out, `actions` is split on `;`, and `breakGlass` values true and false (any case)
 * become booleans. Blank lines are skipped. A row with the wrong number of cells is a problem, and the other
 * rows are still returned, so that one run reports the problems of every row.
 */
export function readCsvRecords(text: string): { rows: CsvGrantRow[]; problems: GrantProblem[] } {
  const records = splitCsv(text.replace(/^\uFEFF/, ''));
  if ('problem' in records) return { rows: [], problems: [records.problem] };
  if (records.length === 0)
    return { rows: [], problems: [{ line: 1, message: 'The CSV file is empty; expected a header row.' }] };

  const [header, ...data] = records;
  const names = header.cells.map((cell) => cell.trim());
  const headerProblems = checkHeader(names);
  if (headerProblems.length > 0) return { rows: [], problems: headerProblems };

  const rows: CsvGrantRow[] = [];
  const problems: GrantProblem[] = [];

  for (const record of data) {
    if (record.cells.every((cell) => cell.trim() === '')) continue;

    if (record.cells.length !== names.length) {
      problems.push({
        line: record.line,
        message: `The row has ${record.cells.length} ${record.cells.length === 1 ? 'cell' : 'cells'}, but the header has ${names.length} columns.`,
      });
      continue;
    }

    rows.push({ line: record.line, fields: toGrantFields(names, record.cells) });
  }

  return { rows, problems };
}

function checkHeader(names: readonly string[]): GrantProblem[] {
  const allowed: readonly string[] = GRANT_FIELDS;
  const unknown = names.filter((name) => !allowed.includes(name));
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);

  return [
    ...unknown.map((name) => ({
      line: 1,
      message: `Unknown column "${name}"; allowed columns are ${GRANT_FIELDS.join(', ')}.`,
    })),
    ...[...new Set(repeated)].map((name) => ({
      line: 1,
      message: `Column "${name}" appears more than once in the header.`,
    })),
  ];
}

function toGrantFields(names: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  names.forEach((name, index) => {
    const cell = cells[index].trim();
    if (cell !== '') fields[name] = convertCell(name, cell);
  });
  return fields;
}

function convertCell(name: string, cell: string): unknown {
  if (name === 'actions') return cell.split(';').map((action) => action.trim());
  if (name === 'breakGlass' && /^(true|false)$/i.test(cell)) return cell.toLowerCase() === 'true';
  return cell;
}

interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** Splits RFC 4180 CSV into records. Quoted cells may hold commas, doubled quotes and line breaks. */
function splitCsv(text: string): CsvRecord[] | { problem: GrantProblem } {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;

  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\n') line++;

    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
      continue;
    }

    if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n') {
      records.push({ line: recordLine, cells: [...cells, cell.replace(/\r$/, '')] });
      cells = [];
      cell = '';
      recordLine = line;
    } else {
      cell += char;
    }
  }

  if (quoted) {
    return {
      problem: { line: recordLine, message: 'A quoted CSV cell is not closed before the end of the file.' },
    };
  }

  if (cells.length > 0 || cell.trim() !== '') records.push({ line: recordLine, cells: [...cells, cell] });
  return records;
}
