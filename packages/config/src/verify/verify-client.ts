/**
 * Semantic checks of a decoded client config: each value follows the schema, but together they
 * must also make sense. Every check is a pure `verify*` function that returns problems with the
 * JSON path of the value concerned; the caller locates them in the source.
 */

import type { PathProblem } from '../problems/problem.js';
import { clip } from '../problems/problem.js';
import type { Camera, ClientConfig, Schedule } from '../generated/types.js';
import { WEEKDAYS } from '../schema/codecs.js';
import { verifyPolygon } from './geometry.js';

/** Options for {@link verifyClientConfig}. */
export interface VerifyOptions {
  /** The ID the config must have, when its location implies one (`client-configs/<id>.xml`). */
  readonly expectedId?: string;
}

/** Runs every semantic check on a config that follows the schema. */
export function verifyClientConfig(
  config: ClientConfig,
  options: VerifyOptions = {},
): PathProblem[] {
  return [
    ...verifyId(config.id, options.expectedId),
    ...verifyTimezone(config.timezone),
    ...verifySchedule(config.schedule),
    ...verifyUniqueIds(config),
    ...verifyModels(config),
    ...config.cameras.flatMap((camera, i) => verifyCamera(camera, `cameras[${String(i)}]`)),
    ...verifyAlerts(config),
  ];
}

function verifyId(id: string, expected: string | undefined): PathProblem[] {
  if (expected === undefined || id === expected) return [];
  return [
    {
      code: 'VIGIE_E_ID_MISMATCH',
      message: `the file is named for client "${clip(expected)}" but declares id="${id}"; rename the file ${id}.xml or change the id`,
      path: 'id',
    },
  ];
}

/** The timezone must be one the runtime's timezone database knows. */
function verifyTimezone(timezone: string): PathProblem[] {
  try {
    const canonical = new Intl.DateTimeFormat('en', { timeZone: timezone }).resolvedOptions()
      .timeZone;
    // ICU accepts any letter case; the detector and the cluster's tzdata may not.
    if (canonical !== timezone && canonical.toLowerCase() === timezone.toLowerCase()) {
      return [
        {
          code: 'VIGIE_E_TIMEZONE_UNKNOWN',
          message: `write the timezone as "${canonical}", with this exact case`,
          path: 'timezone',
        },
      ];
    }
    return [];
  } catch {
    return [
      {
        code: 'VIGIE_E_TIMEZONE_UNKNOWN',
        message: `"${clip(timezone)}" is not a known IANA timezone; use a name such as Europe/Paris or America/New_York`,
        path: 'timezone',
      },
    ];
  }
}

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

function minutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Minute-of-week intervals covered by a window; overnight windows run into the next day. */
function weekIntervals(days: readonly string[], open: string, close: string): [number, number][] {
  const start = minutes(open);
  let end = minutes(close);
  if (end <= start) end += MINUTES_PER_DAY;
  const intervals: [number, number][] = [];
  for (const day of days) {
    const offset = WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]) * MINUTES_PER_DAY;
    const a = offset + start;
    const b = offset + end;
    if (b <= MINUTES_PER_WEEK) intervals.push([a, b]);
    else intervals.push([a, MINUTES_PER_WEEK], [0, b - MINUTES_PER_WEEK]);
  }
  return intervals;
}

/** Windows must open before they close (or run overnight) and must not overlap. */
function verifySchedule(schedule: Schedule): PathProblem[] {
  const problems: PathProblem[] = [];
  const intervals: { start: number; end: number; window: number }[] = [];
  schedule.windows.forEach((w, i) => {
    const path = `schedule.windows[${String(i)}]`;
    if (w.open === '24:00') {
      problems.push({
        code: 'VIGIE_E_SCHEDULE_INVALID',
        message: 'a window cannot open at 24:00; use 00:00',
        path: `${path}.open`,
      });
    } else if (w.open === w.close) {
      problems.push({
        code: 'VIGIE_E_SCHEDULE_EMPTY_WINDOW',
        message: `the window opens and closes at ${w.open}; for all day, use open="00:00" close="24:00"`,
        path: `${path}.close`,
      });
    } else {
      for (const [start, end] of weekIntervals(w.days, w.open, w.close)) {
        intervals.push({ start, end, window: i });
      }
    }
  });
  problems.push(...verifyNoOverlap(schedule, intervals));
  const dates = new Set<string>();
  schedule.closures.forEach((c, i) => {
    if (dates.has(c.date)) {
      problems.push({
        code: 'VIGIE_E_SCHEDULE_DUPLICATE_CLOSURE',
        message: `${c.date} is listed as closed twice`,
        path: `schedule.closures[${String(i)}].date`,
      });
    }
    dates.add(c.date);
  });
  return problems;
}

/**
 * Finds windows whose minutes of the week overlap, in O(n log n): a sweep in start order that
 * keeps the two latest ends seen from different windows.
 */
function verifyNoOverlap(
  schedule: Schedule,
  intervals: { start: number; end: number; window: number }[],
): PathProblem[] {
  intervals.sort((a, b) => a.start - b.start || a.window - b.window);
  const clashes = new Map<number, number>();
  let best = { end: -1, window: -1 };
  let other = { end: -1, window: -1 };
  for (const x of intervals) {
    const rival = best.window !== x.window ? best : other;
    if (x.start < rival.end) {
      const [earlier, later] =
        rival.window < x.window ? [rival.window, x.window] : [x.window, rival.window];
      if (!clashes.has(later)) clashes.set(later, earlier);
    }
    if (x.end > best.end) {
      if (best.window !== x.window) other = best;
      best = { end: x.end, window: x.window };
    } else if (x.window !== best.window && x.end > other.end) {
      other = { end: x.end, window: x.window };
    }
  }
  return [...clashes].map(([later, earlier]) => {
    const w = schedule.windows[later];
    const what = w ? ` (${w.days.join(',')} ${w.open}-${w.close})` : '';
    return {
      code: 'VIGIE_E_SCHEDULE_OVERLAP',
      message: `this window${what} overlaps window ${String(earlier + 1)}; merge them or change their days or times`,
      path: `schedule.windows[${String(later)}]`,
    };
  });
}

function duplicates(
  items: readonly { readonly id: string }[],
  path: string,
  what: string,
): PathProblem[] {
  const first = new Map<string, number>();
  const problems: PathProblem[] = [];
  items.forEach((item, i) => {
    const earlier = first.get(item.id);
    if (earlier !== undefined) {
      problems.push({
        code: 'VIGIE_E_DUPLICATE_ID',
        message: `${what} ID "${item.id}" is already used by ${what} ${String(earlier + 1)}`,
        path: `${path}[${String(i)}].id`,
      });
    } else {
      first.set(item.id, i);
    }
  });
  return problems;
}

/** Camera IDs are unique in the client, zone IDs in their camera, model IDs in the client. */
function verifyUniqueIds(config: ClientConfig): PathProblem[] {
  return [
    ...duplicates(config.cameras, 'cameras', 'camera'),
    ...config.cameras.flatMap((c, i) => duplicates(c.zones, `cameras[${String(i)}].zones`, 'zone')),
    ...duplicates(config.models, 'models', 'model'),
  ];
}

/** Model URIs are fetched from https or gs, and cameras name models that exist. */
function verifyModels(config: ClientConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  const declared = new Set(config.models.map((m) => m.id));
  config.models.forEach((model, i) => {
    const path = `models[${String(i)}]`;
    if (model.id === 'default') {
      problems.push({
        code: 'VIGIE_E_DUPLICATE_ID',
        message: 'model ID "default" is reserved for the bundled model',
        path: `${path}.id`,
      });
    }
    const uri = parseUrl(model.uri);
    if (uri === undefined) {
      problems.push({
        code: 'VIGIE_E_URL_INVALID',
        message: `"${clip(model.uri)}" is not an absolute URI`,
        path: `${path}.uri`,
      });
    } else if (uri.protocol !== 'https:' && uri.protocol !== 'gs:') {
      problems.push({
        code: 'VIGIE_E_MODEL_URI_SCHEME',
        message: `model URI scheme "${uri.protocol}" is not supported; use https:// or gs://`,
        path: `${path}.uri`,
      });
    } else {
      problems.push(...verifyNoCredentials(uri, `${path}.uri`));
    }
  });
  config.cameras.forEach((camera, i) => {
    if (camera.model !== 'default' && !declared.has(camera.model)) {
      const known = ['default', ...declared].join(', ');
      problems.push({
        code: 'VIGIE_E_MODEL_UNKNOWN',
        message: `model "${camera.model}" is not declared; known models: ${known}`,
        path: `cameras[${String(i)}].model`,
      });
    }
  });
  return problems;
}

const STREAM_SCHEMES = new Set(['rtsp:', 'rtsps:', 'http:', 'https:', 'file:']);
const SECRET_QUERY_KEYS =
  /^(user(name)?|pass(word|wd)?|pwd|token|auth|key|secret|api[-_]?key|access[-_]?token|sig|signature|x-(amz|goog)-(signature|credential|security-token))$/i;

/** Credentials some cameras take as path parameters: `/stream;user=admin;password=…`. */
const SECRET_PATH_PARAMS = /;(user(name)?|pass(word|wd)?|pwd|token)=/i;

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function verifyNoCredentials(url: URL, path: string): PathProblem[] {
  const found = (message: string): PathProblem[] => [
    { code: 'VIGIE_E_CREDENTIALS_IN_URL', message, path },
  ];
  if (url.username !== '' || url.password !== '') {
    return found(
      'the URL contains a user name or password; remove it and reference a Secret instead',
    );
  }
  if (SECRET_PATH_PARAMS.test(url.pathname)) {
    return found('the URL path carries a user name or password; reference a Secret instead');
  }
  const fragment = new URLSearchParams(url.hash.slice(1));
  for (const key of [...url.searchParams.keys(), ...fragment.keys()]) {
    if (SECRET_QUERY_KEYS.test(key)) {
      return found(
        `the URL's parameter "${clip(key)}" looks like a credential; reference a Secret instead`,
      );
    }
  }
  return [];
}

/** A camera's stream is readable and carries no credentials, and its zones are sound polygons. */
function verifyCamera(camera: Camera, path: string): PathProblem[] {
  const problems: PathProblem[] = [];
  const urlPath = `${path}.stream.url`;
  const url = parseUrl(camera.stream.url);
  if (url === undefined) {
    problems.push({
      code: 'VIGIE_E_URL_INVALID',
      message: `"${clip(camera.stream.url)}" is not an absolute URL such as rtsp://10.0.0.12:554/stream1`,
      path: urlPath,
    });
  } else if (!STREAM_SCHEMES.has(url.protocol)) {
    problems.push({
      code: 'VIGIE_E_STREAM_SCHEME',
      message: `stream scheme "${url.protocol}" is not supported; use rtsp, rtsps, http, https or file`,
      path: urlPath,
    });
  } else {
    problems.push(...verifyNoCredentials(url, urlPath));
  }
  camera.zones.forEach((zone, i) => {
    const zonePath = `${path}.zones[${String(i)}].points`;
    const verdict = verifyPolygon(zone.points);
    if (verdict.ok) return;
    switch (verdict.reason) {
      case 'out-of-range': {
        const [x, y] = zone.points[verdict.point] ?? [0, 0];
        problems.push({
          code: 'VIGIE_E_ZONE_OUT_OF_RANGE',
          message: `zone "${zone.id}": point ${String(verdict.point + 1)} (${String(x)},${String(y)}) is outside the frame; coordinates go from 0 to 1`,
          path: zonePath,
        });
        break;
      }
      case 'repeated-point':
        problems.push({
          code: 'VIGIE_E_ZONE_DEGENERATE',
          message: `zone "${zone.id}": point ${String(verdict.point + 1)} repeats the point before it`,
          path: zonePath,
        });
        break;
      case 'no-area':
        problems.push({
          code: 'VIGIE_E_ZONE_DEGENERATE',
          message: `zone "${zone.id}" has no area: its points are on one line`,
          path: zonePath,
        });
        break;
      case 'self-intersects':
        problems.push({
          code: 'VIGIE_E_ZONE_SELF_INTERSECTS',
          message: `zone "${zone.id}": edge ${String(verdict.edges[0] + 1)} crosses edge ${String(verdict.edges[1] + 1)}; list the points in order around the zone`,
          path: zonePath,
        });
        break;
    }
  });
  return problems;
}

/** Webhooks are https and carry no credentials in their URL. */
function verifyAlerts(config: ClientConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  config.alerts.webhooks.forEach((webhook, i) => {
    const path = `alerts.webhooks[${String(i)}].url`;
    const url = parseUrl(webhook.url);
    if (url === undefined) {
      problems.push({
        code: 'VIGIE_E_URL_INVALID',
        message: `"${clip(webhook.url)}" is not an absolute URL`,
        path,
      });
    } else if (url.protocol !== 'https:') {
      problems.push({
        code: 'VIGIE_E_WEBHOOK_INSECURE',
        message: `webhook URL must use https://, not ${url.protocol}//`,
        path,
      });
    } else {
      problems.push(...verifyNoCredentials(url, path));
    }
  });
  return problems;
}
