/**
 * Parses text that contains either one JSON document or JSON lines (one JSON value per line), and
 * describes parse errors by line and column. `cloudtrail-input.ts` reads CloudTrail files with it.
 */

/** Extensions, before an optional `.gz`, of files that are JSON lines even when their first line is invalid. */
const JSON_LINES_EXTENSIONS = ['.jsonl', '.ndjson'] as const;

/** One non-empty line of JSON lines text: its value, or why it is not valid JSON. */
export type JsonLine =
  | { readonly lineNumber: number; readonly value: unknown }
  | { readonly lineNumber: number; readonly error: string };

/** Text parsed by `parseJsonText`. */
export type ParsedJsonText =
  | { readonly format: 'document'; readonly value: unknown }
  | { readonly format: 'lines'; readonly lines: readonly JsonLine[] }
  | { readonly format: 'invalid'; readonly error: string };

type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Parses `text` as one JSON document first. Only when that fails and the text is JSON lines is each
 * non-empty line parsed on its own, so that a bad line fails alone. The text is JSON lines when
 * `fileName` ends with `.jsonl` or `.ndjson` (optionally followed by `.gz`), or when its first non-empty
 * line is on its own a JSON object or array. Any other text is invalid as a whole. A pretty-printed
 * document that was cut off is such text, because its first line `{` is not complete JSON, so it gets
 * one error with its position instead of one error per line.
 */
export function parseJsonText(text: string, fileName?: string): ParsedJsonText {
  const whole = tryParseJson(text);
  if (whole.ok) return { format: 'document', value: whole.value };

  const lines = nonEmptyLines(text);
  if (!hasJsonLinesExtension(fileName) && !startsWithObjectOrArray(lines)) {
    const { reason, position } = locateError(text, whole.message);
    return { format: 'invalid', error: `${reason}${describeLineAndColumn(text, position)}` };
  }

  return { format: 'lines', lines: lines.map(parseLine) };
}

function tryParseJson(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function nonEmptyLines(text: string): { lineNumber: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ lineNumber: index + 1, text: line }))
    .filter((line) => line.text.trim() !== '');
}

function hasJsonLinesExtension(fileName: string | undefined): boolean {
  const name = (fileName ?? '').toLowerCase().replace(/\.gz$/, '');
  return JSON_LINES_EXTENSIONS.some((extension) => name.endsWith(extension));
}

function startsWithObjectOrArray(lines: readonly { text: string }[]): boolean {
  if (lines.length === 0) return false;

  const first = tryParseJson(lines[0].text);
  return first.ok && typeof first.value === 'object' && first.value !== null;
}

function parseLine(line: { lineNumber: number; text: string }): JsonLine {
  const parsed = tryParseJson(line.text);
  if (parsed.ok) return { lineNumber: line.lineNumber, value: parsed.value };

  const { reason, position } = locateError(line.text, parsed.message);
  const column = position === undefined ? '' : ` at column ${position + 1}`;
  return { lineNumber: line.lineNumber, error: `${reason}${column}` };
}

/** The form of V8 messages that give the position of the error. */
const POSITIONED_MESSAGE = /^(.*) in JSON at position (\d+)/s;

const END_OF_INPUT_MESSAGE = 'Unexpected end of JSON input';

/**
 * Returns the reason of a `JSON.parse` error in `text` and its 0-based position. V8 puts errors that it
 * finds at the end of the input after any trailing whitespace, so such a position is moved back to just
 * after the last character, where the content stops.
 */
function locateError(text: string, message: string): { reason: string; position?: number } {
  const { reason, position } = splitErrorMessage(text, message);
  if (position === undefined) return { reason };

  return { reason, position: Math.min(position, text.trimEnd().length) };
}

/**
 * Splits a `JSON.parse` error message into its reason and position. V8 12 (Node.js 22) words its messages
 * in three ways: "REASON in JSON at position N (line L column C)", "Unexpected end of JSON input", and
 * "Unexpected token 'X', "SNIPPET" is not valid JSON". The snippet quotes the text, which can hold object
 * keys with patient identifiers, so it is replaced by a position. A message in any other form is returned
 * whole, without a position.
 */
function splitErrorMessage(text: string, message: string): { reason: string; position?: number } {
  const positioned = POSITIONED_MESSAGE.exec(message);
  if (positioned) return { reason: positioned[1], position: Number(positioned[2]) };

  if (message === END_OF_INPUT_MESSAGE) return { reason: message, position: text.length };

  const unexpectedToken = /^(Unexpected token '.*?'), /s.exec(message);
  if (unexpectedToken) return { reason: unexpectedToken[1], position: findErrorPosition(text) };

  return { reason: message };
}

/**
 * Finds the position of a syntax error that `JSON.parse` reports without one. A prefix of `text` that
 * stops before the error either parses or fails at its end, and a prefix that includes the error fails
 * before its end. A binary search for the shortest prefix of the second kind takes about log2(length)
 * parses, and that prefix ends with the character at the error.
 */
function findErrorPosition(text: string): number {
  let clean = 0;
  let failing = text.length;
  while (failing - clean > 1) {
    const middle = Math.floor((clean + failing) / 2);
    if (failsBeforeEnd(text.slice(0, middle))) {
      failing = middle;
    } else {
      clean = middle;
    }
  }
  return failing - 1;
}

/** Returns true unless the prefix parses or fails at its end, as a cut-off document does. */
function failsBeforeEnd(prefix: string): boolean {
  const parsed = tryParseJson(prefix);
  if (parsed.ok || parsed.message === END_OF_INPUT_MESSAGE) return false;

  const positioned = POSITIONED_MESSAGE.exec(parsed.message);
  return positioned === null || Number(positioned[2]) < prefix.length;
}

/** Describes a 0-based position as a 1-based line and column. Columns count UTF-16 code units. */
function describeLineAndColumn(text: string, position: number | undefined): string {
  if (position === undefined) return '';

  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  return ` at line ${line}, column ${position - lineStart + 1}`;
}
