/**
 * Values written as structured text in XML attributes, such as a polygon's points or a set of
 * days. Each codec's XSD pattern and its parser accept exactly the same texts.
 */

import { clip } from '../problems/problem.js';
import type { Codec, CodecResult } from './dsl.js';

/** Collapses whitespace as XSD's `xs:token` does before checking a pattern. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\t\n\r ]+/g, ' ').trim();
}

/** An XSD `xs:decimal` literal (no exponent), as a pattern valid in XSD and JavaScript. */
export const DECIMAL_PATTERN = '[+\\-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)';
const POINT = `${DECIMAL_PATTERN},${DECIMAL_PATTERN}`;
const POINT_PATTERN = new RegExp(`^${POINT}$`);

/** The most points a zone polygon may have. */
export const MAX_POLYGON_POINTS = 64;

/** A polygon in normalised frame coordinates: `x,y x,y x,y …`, 3 to 64 points. */
export const pointsCodec: Codec<[number, number][]> = {
  name: 'PolygonPoints',
  xsdPattern: `${POINT}( ${POINT}){2,${String(MAX_POLYGON_POINTS - 1)}}`,
  syntax: '`x,y x,y x,y …` (3 to 64 points; 0,0 is the top-left corner, 1,1 the bottom-right)',
  tsType: '[number, number][]',
  openApi: {
    type: 'array',
    minItems: 3,
    maxItems: MAX_POLYGON_POINTS,
    items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } },
  },
  parse(text): CodecResult<[number, number][]> {
    const collapsed = collapseWhitespace(text);
    const pairs = collapsed === '' ? [] : collapsed.split(' ');
    const points: [number, number][] = [];
    for (const pair of pairs) {
      if (!POINT_PATTERN.test(pair)) {
        return {
          ok: false,
          code: 'VIGIE_E_ZONE_POINTS_SYNTAX',
          message: `"${clip(pair)}" is not a point; write points as x,y separated by spaces, e.g. "0.1,0.2 0.5,0.2 0.5,0.9"`,
        };
      }
      const [x, y] = pair.split(',').map(Number);
      points.push([x ?? 0, y ?? 0]);
    }
    if (points.length < 3 || points.length > MAX_POLYGON_POINTS) {
      return {
        ok: false,
        code: 'VIGIE_E_ZONE_POINTS_SYNTAX',
        message: `a polygon needs 3 to ${String(MAX_POLYGON_POINTS)} points, this one has ${String(points.length)}`,
      };
    }
    // A polygon written closed, with its first point repeated at the end, means the same shape.
    const first = points[0];
    const last = points.at(-1);
    if (points.length > 3 && first && last && first[0] === last[0] && first[1] === last[1]) {
      points.pop();
    }
    return { ok: true, value: points };
  },
};

/** The days of the week, in order, as written in configs. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

const DAY = `(${WEEKDAYS.join('|')})`;
const DAY_ITEM = `${DAY}(-${DAY})?`;
const DAYS = `${DAY_ITEM}(, ?${DAY_ITEM})*`;
const DAYS_PATTERN = new RegExp(`^${DAYS}$`);

/** A set of weekdays: `mon-fri`, `sat,sun`, `mon,wed-fri` (ranges may wrap: `fri-mon`). */
export const daysCodec: Codec<Weekday[]> = {
  name: 'Days',
  xsdPattern: DAYS,
  syntax: '`mon-fri`, `sat,sun` or `mon,wed-fri` (ranges may wrap, as in `fri-mon`)',
  tsType: `(${WEEKDAYS.map((d) => `'${d}'`).join(' | ')})[]`,
  openApi: {
    type: 'array',
    minItems: 1,
    maxItems: 7,
    items: { type: 'string', enum: [...WEEKDAYS] },
  },
  parse(text): CodecResult<Weekday[]> {
    const collapsed = collapseWhitespace(text);
    if (!DAYS_PATTERN.test(collapsed)) {
      return {
        ok: false,
        code: 'VIGIE_E_SCHEDULE_INVALID',
        message: `"${clip(text)}" is not a set of days; use mon, tue, wed, thu, fri, sat, sun, ranges such as mon-fri, and commas`,
      };
    }
    const chosen = new Set<Weekday>();
    for (const item of collapsed.split(/, ?/)) {
      const [from, to] = item.split('-') as [Weekday, Weekday | undefined];
      const start = WEEKDAYS.indexOf(from);
      const end = WEEKDAYS.indexOf(to ?? from);
      for (let i = start; ; i = (i + 1) % 7) {
        chosen.add(WEEKDAYS[i] ?? 'mon');
        if (i === end) break;
      }
    }
    return { ok: true, value: WEEKDAYS.filter((d) => chosen.has(d)) };
  },
};

/** A calendar date, `YYYY-MM-DD`. */
export const dateCodec: Codec<string> = {
  name: 'Date',
  xsdBase: 'xs:date',
  xsdPattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}',
  syntax: '`YYYY-MM-DD`, a real calendar date',
  tsType: 'string',
  openApi: { type: 'string', format: 'date' },
  parse(text): CodecResult<string> {
    const collapsed = collapseWhitespace(text);
    const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(collapsed);
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      // setUTCFullYear, unlike Date.UTC, keeps years 0 to 99 as they are.
      const date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      if (
        date.getUTCFullYear() === year &&
        date.getUTCMonth() === month - 1 &&
        date.getUTCDate() === day
      ) {
        return { ok: true, value: collapsed };
      }
    }
    return {
      ok: false,
      code: 'VIGIE_E_SCHEDULE_INVALID',
      message: `"${clip(text)}" is not a calendar date written YYYY-MM-DD`,
    };
  },
};
