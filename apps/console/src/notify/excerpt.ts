/**
 * A receiver's words, made fit to store and show. What a webhook receiver answers (or puts in
 * its certificate, which TLS errors quote) is chosen by whoever runs it, and ends up in
 * `last_error`, in logs and on the console's pages: it is cut short, kept to one line of
 * printable text, and never holds what PostgreSQL refuses in text (NUL, lone surrogates).
 */

/** How many characters of a receiver's answer are kept. */
export const EXCERPT_CHARS = 200;

/** How many bytes of an answer to read for an excerpt: enough for the longest UTF-8 excerpt. */
export const EXCERPT_BYTES = 4 * EXCERPT_CHARS;

// Controls (C0, DEL, C1) and line or paragraph separators end a line; format characters
// (bidirectional overrides, zero-width ones) can make text read other than it is.
const BREAKS = /[\p{Cc}\p{Zl}\p{Zp}]/gu;
const FORMATS = /\p{Cf}/gu;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * At most `maxChars` characters (code points, `…` included when cut) of text or UTF-8 bytes,
 * on one line, without controls, format characters, NUL or lone surrogates; bytes that are not
 * UTF-8, and an incomplete character at the end, read as U+FFFD or are dropped.
 */
export function storableExcerpt(input: Uint8Array | string, maxChars = EXCERPT_CHARS): string {
  const text =
    typeof input === 'string'
      ? input
      : // `stream` holds back a character cut in half by the read limit instead of mangling it.
        new TextDecoder('utf-8', { fatal: false }).decode(input, { stream: true });
  const clean = text
    .replace(LONE_SURROGATES, '\uFFFD')
    .replace(BREAKS, ' ')
    .replace(FORMATS, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(clean);
  if (chars.length <= maxChars) return clean;
  return `${chars
    .slice(0, Math.max(0, maxChars - 1))
    .join('')
    .trimEnd()}…`;
}
