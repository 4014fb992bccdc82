import type { Position } from '../problems/problem.js';

/** Maps offsets in a text to 1-based line and column numbers. */
export class SourceText {
  readonly text: string;
  readonly #lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    this.#lineStarts = [0];
    // Lines end at LF, CRLF or a lone CR, as XML's end-of-line handling says.
    const breaks = /\r\n?|\n/g;
    for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
      this.#lineStarts.push(breaks.lastIndex);
    }
  }

  /** The position of the UTF-16 offset `offset`; columns count UTF-16 code units, from 1. */
  positionAt(offset: number): Position {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }
}

/**
 * The position of byte `offset` in `bytes`, measured as in {@link SourceText} (columns in UTF-16
 * code units, after any byte-order mark), even when the bytes there are not valid UTF-8.
 */
export function bytePosition(bytes: Uint8Array, offset: number): Position {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
    bytes.subarray(bom, Math.max(bom, offset)),
  );
  return new SourceText(before).positionAt(before.length);
}

/**
 * The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points
 * past U+10FFFF included), or -1 when all of `bytes` is valid UTF-8.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else {
      return i;
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
