/**
 * Reading the POST /primes body (a JSON array, or NDJSON with one integer per
 * line) and describing bad input in error messages without echoing more than a
 * bounded preview of it.
 */

/** Most characters of the client's input that an error message repeats. */
export const ECHO_MAX = 200;

/** `text`, cut to {@link ECHO_MAX} characters with an ellipsis if it is longer. */
export function preview(text: string): string {
  return text.length > ECHO_MAX ? `${text.slice(0, ECHO_MAX)}…` : text;
}

/** A bounded description of a parsed JSON value: never recursive, so any nesting depth is safe. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return preview(JSON.stringify(value));
  return String(value);
}

/** The media types POST /primes reads: a JSON array, or NDJSON. */
export const JSON_TYPE = 'application/json';
export const NDJSON_TYPES: readonly string[] = ['application/x-ndjson', 'application/ndjson'];

/** The media type of a Content-Type header, lower case, without parameters ('' if none). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

export type Parsed = { ok: true; items: unknown[] } | { ok: false; problem: string };

const parseOne = (text: string): { ok: true; value: unknown } | { ok: false; deep: boolean } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    // Some engines stop at a nesting depth with a RangeError rather than a SyntaxError.
    return { ok: false, deep: e instanceof RangeError };
  }
};

/**
 * Parse a body into its items: a JSON value (which must then be an array), or
 * NDJSON lines (blank lines skipped). Stops reading NDJSON after `maxItems + 1`
 * items. `problem` completes "...; " in the caller's error message.
 */
export function parseBody(text: string, ndjson: boolean, maxItems: number): Parsed {
  if (!ndjson) {
    const r = parseOne(text);
    if (!r.ok) return { ok: false, problem: r.deep ? 'it is nested too deeply' : 'it is not valid JSON' };
    if (Array.isArray(r.value)) return { ok: true, items: r.value };
    return { ok: false, problem: `got ${r.value === null ? 'null' : typeof r.value === 'object' ? 'an object' : `a ${typeof r.value}`}` };
  }
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && items.length <= maxItems; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const r = parseOne(line);
    if (!r.ok) return { ok: false, problem: `line ${i + 1} is ${r.deep ? 'nested too deeply' : 'not valid JSON'}` };
    items.push(r.value);
  }
  return { ok: true, items };
}
