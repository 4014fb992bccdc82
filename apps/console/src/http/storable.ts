/**
 * What the database can store, checked once for every request before any handler runs:
 * PostgreSQL's text and `jsonb` refuse NUL characters and lone surrogates, its timestamps end
 * at fixed years, and `JSON.stringify` overflows its stack on deep nesting. A value outside
 * these bounds is an {@link InputError} with the code {@link UNSTORABLE}, never a 500.
 */

import { InputError } from '../errors.js';

/** The stable code of a value the database cannot store (HTTP 400). */
export const UNSTORABLE = 'VIGIE_E_UNSTORABLE';

/** The deepest nesting of objects and arrays a body may have; real alerts use five. */
export const MAX_DEPTH = 32;

/** Times are ISO 8601 with four-digit years, which PostgreSQL reads back (year 0 it refuses). */
const EARLIEST = Date.UTC(1, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function unstorable(message: string): never {
  throw new InputError(UNSTORABLE, message);
}

/** A UTF-16 surrogate without its other half: no UTF-8 text can hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function verifyText(text: string, where: string): void {
  if (text.includes('\0')) unstorable(`${where} holds a NUL character`);
  if (LONE_SURROGATE.test(text)) unstorable(`${where} holds a lone surrogate (not Unicode text)`);
}

/**
 * Checks every string (keys too) and the nesting of a parsed JSON value, without recursion so
 * that no body can exhaust the stack. `where` names the value in the message.
 */
export function verifyStorable(value: unknown, where: string): void {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value, path: where, depth: 0 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: item, path, depth } = next;
    if (typeof item === 'string') {
      verifyText(item, path);
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= MAX_DEPTH) unstorable(`${where} is nested deeper than ${String(MAX_DEPTH)}`);
    if (Array.isArray(item)) {
      item.forEach((element, i) => {
        pending.push({ value: element, path: `${path}[${String(i)}]`, depth: depth + 1 });
      });
      continue;
    }
    for (const [key, element] of Object.entries(item)) {
      verifyText(key, `a key in ${path}`);
      pending.push({ value: element, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
}

/**
 * Reads an ISO 8601 time the database can store, as a canonical ISO string; undefined when it
 * is not a time at all (the caller reports that with its own code). Throws {@link UNSTORABLE}
 * for a time outside years 1 to 9999.
 */
export function parseStorableTime(text: string, where: string): string | undefined {
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) return undefined;
  if (parsed < EARLIEST || parsed > LATEST) {
    unstorable(`${where} must lie between the years 1 and 9999`);
  }
  return new Date(parsed).toISOString();
}
