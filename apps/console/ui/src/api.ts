/**
 * The console's API as the UI calls it: every request carries the session's bearer token, every
 * answer is normalised here, and a 401 anywhere ends the session.
 */

import { parseApiErrorBody } from '../../src/api/index.js';
import { arr, num, obj, oneOf, optNum, optStr, str } from './read.js';
import type {
  AlertBody,
  AlertDetail,
  AlertPage,
  AlertSummary,
  Box,
  CameraHealth,
  CameraSpec,
  CameraState,
  ClientState,
  ClientView,
  ConfigProblem,
  ConfigReportView,
  EvidenceKind,
  Firing,
  Principal,
  Review,
  Verdict,
  ZoneOutline,
  ZoneRef,
} from './types.js';
import { ALERT_STATUSES, EVIDENCE_KINDS } from './types.js';

/** Every camera state, to read one safely. */
const CAMERA_STATES: readonly CameraState[] = ['Up', 'Down', 'Unknown', 'Disabled'];

/** Every client state, to read one safely. */
const CLIENT_STATES: readonly ClientState[] = [
  'Ready',
  'Progressing',
  'Degraded',
  'Rejected',
  'Removed',
];

/** An answer that was not a success, with the API's stable code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** What the API client needs: the token, and what to do when it is refused. */
export interface ApiOptions {
  readonly token: string;
  readonly onUnauthorized: (message: string) => void;
}

/** The filters of the alert list, as the API takes them. */
export interface AlertQuery {
  readonly client?: string;
  readonly camera?: string;
  readonly rule?: string;
  readonly status?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** The API, bound to one session. */
export interface Api {
  readonly token: string;
  me(): Promise<Principal>;
  alerts(query: AlertQuery): Promise<AlertPage>;
  alert(id: string): Promise<AlertDetail>;
  review(id: string, verdict: Verdict, note: string): Promise<void>;
  /** Evidence bytes as a blob, to show through an object URL (elements cannot send headers). */
  evidence(id: string, kind: EvidenceKind): Promise<Blob>;
  clients(): Promise<readonly ClientView[]>;
  client(name: string): Promise<ClientView>;
  cameras(): Promise<readonly CameraHealth[]>;
}

/** Builds the API client for a session. */
export function createApi(options: ApiOptions): Api {
  const { token, onUnauthorized } = options;

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(`/api/v1${path}`, { ...init, headers });
    if (response.ok) return response;
    // Not the console's error body (a proxy's page, say): the status line says enough.
    const body = parseApiErrorBody(await response.json().catch(() => undefined)) ?? {
      code: 'VIGIE_E_INTERNAL',
      message: `${String(response.status)} ${response.statusText}`,
    };
    if (response.status === 401) onUnauthorized(body.message);
    throw new ApiError(response.status, body.code, body.message);
  }

  async function json(path: string, init?: RequestInit): Promise<unknown> {
    const response = await request(path, init);
    return (await response.json()) as unknown;
  }

  return {
    token,
    me: async () => readPrincipal(await json('/me')),
    alerts: async (query) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== '') params.set(key, String(value));
      }
      const qs = params.toString();
      return readAlertPage(await json(`/alerts${qs === '' ? '' : `?${qs}`}`));
    },
    alert: async (id) => readAlertDetail(await json(`/alerts/${encodeURIComponent(id)}`)),
    review: async (id, verdict, note) => {
      await request(`/alerts/${encodeURIComponent(id)}/review`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(note.trim() === '' ? { verdict } : { verdict, note: note.trim() }),
      });
    },
    evidence: async (id, kind) =>
      (await request(`/alerts/${encodeURIComponent(id)}/evidence/${kind}`)).blob(),
    clients: async () => arr(obj(await json('/clients')).clients).map(readClient),
    client: async (name) => readClient(await json(`/clients/${encodeURIComponent(name)}`)),
    cameras: async () => arr(obj(await json('/cameras')).cameras).map(readCamera),
  };
}

/** Reads `GET /me`. */
export function readPrincipal(value: unknown): Principal {
  const o = obj(value);
  const clients = Array.isArray(o.clients) ? arr(o.clients).map((c) => str(c)) : '*';
  return {
    subject: str(o.subject, 'unknown'),
    role: oneOf(o.role, ['admin', 'viewer'], 'viewer'),
    clients,
  };
}

function readReview(value: unknown): Review | undefined {
  const o = obj(value);
  const verdict = optStr(o.verdict);
  if (verdict !== 'confirmed' && verdict !== 'dismissed') return undefined;
  const note = optStr(o.note);
  return {
    verdict,
    by: str(o.by, 'unknown'),
    at: str(o.at),
    ...(note === undefined ? {} : { note }),
  };
}

/** Reads one alert summary, from a list or from the live stream. */
export function readAlertSummary(value: unknown): AlertSummary {
  const o = obj(value);
  const review = readReview(o.review);
  const rule = str(o.rule, 'unknown');
  const rules = arr(o.rules)
    .map((r) => str(r))
    .filter((r) => r !== '');
  const camera = str(o.camera);
  const score = optNum(o.score);
  const threshold = optNum(o.threshold);
  return {
    id: str(o.id),
    client: str(o.client),
    camera,
    cameraName: str(o.cameraName, camera),
    rule,
    rules: rules.length > 0 ? rules : [rule],
    detectedAt: str(o.detectedAt),
    receivedAt: str(o.receivedAt, str(o.detectedAt)),
    status: oneOf(o.status, ALERT_STATUSES, review?.verdict ?? 'new'),
    explanation: str(o.explanation),
    evidence: arr(o.evidence).filter((e): e is EvidenceKind =>
      EVIDENCE_KINDS.some((kind) => kind === e),
    ),
    ...(review === undefined ? {} : { review }),
    ...(score === undefined ? {} : { score }),
    ...(threshold === undefined ? {} : { threshold }),
  };
}

function readAlertPage(value: unknown): AlertPage {
  const o = obj(value);
  const nextCursor = optStr(o.nextCursor);
  return {
    alerts: arr(o.alerts).map(readAlertSummary),
    ...(nextCursor === undefined ? {} : { nextCursor }),
  };
}

function readZoneRef(value: unknown): ZoneRef | undefined {
  const o = obj(value);
  const id = optStr(o.id);
  if (id === undefined) return undefined;
  return { id, name: str(o.name, id), type: str(o.type) };
}

function readFiring(value: unknown): Firing {
  const o = obj(value);
  const zone = readZoneRef(o.zone);
  return {
    rule: str(o.rule, 'unknown'),
    t: num(o.t),
    strength: num(o.strength, 1),
    explanation: str(o.explanation),
    evidence: arr(o.evidence).map((m) => {
      const moment = obj(m);
      return { t: num(moment.t), what: str(moment.what) };
    }),
    ...(zone === undefined ? {} : { zone }),
  };
}

function readBox(value: unknown): Box | undefined {
  const a = arr(value);
  if (a.length !== 4 || !a.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return undefined;
  }
  const [x1, y1, x2, y2] = a as number[];
  return [x1 ?? 0, y1 ?? 0, x2 ?? 0, y2 ?? 0];
}

/** Reads the detector's alert body; what it lacks is simply not shown. */
export function readAlertBody(value: unknown): AlertBody {
  const o = obj(value);
  const box = readBox(o.box);
  const width = optNum(o.width);
  const height = optNum(o.height);
  const trackId = optNum(o.trackId);
  const zone = readZoneRef(o.zone);
  const sensitivity = optStr(o.sensitivity);
  return {
    firings: arr(o.firings).map(readFiring),
    ...(box === undefined ? {} : { box }),
    ...(width === undefined ? {} : { width }),
    ...(height === undefined ? {} : { height }),
    ...(trackId === undefined ? {} : { trackId }),
    ...(zone === undefined ? {} : { zone }),
    ...(sensitivity === undefined ? {} : { sensitivity }),
  };
}

/** Reads `GET /alerts/:id`; `history` (earlier reviews) is shown when the API sends it. */
export function readAlertDetail(value: unknown): AlertDetail {
  const o = obj(value);
  return {
    ...readAlertSummary(o),
    body: readAlertBody(o.body),
    history: arr(o.history)
      .map(readReview)
      .filter((r): r is Review => r !== undefined),
  };
}

function readCamera(value: unknown): CameraHealth {
  const o = obj(value);
  const camera = str(o.camera ?? o.id);
  const code = optStr(o.code);
  const reason = optStr(o.reason);
  const since = optStr(o.since);
  return {
    client: str(o.client),
    camera,
    name: str(o.name, camera),
    state: oneOf(o.state, CAMERA_STATES, 'Unknown'),
    ...(code === undefined ? {} : { code }),
    ...(reason === undefined ? {} : { reason }),
    ...(since === undefined ? {} : { since }),
  };
}

function readProblem(value: unknown): ConfigProblem {
  const o = obj(value);
  const line = optNum(o.line);
  const column = optNum(o.column);
  return {
    code: str(o.code),
    message: str(o.message),
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
  };
}

function readReport(value: unknown): ConfigReportView | undefined {
  if (value === undefined || value === null) return undefined;
  const o = obj(value);
  return {
    result: oneOf(o.result, ['accepted', 'rejected'], 'accepted'),
    object: str(o.object),
    generation: str(o.generation),
    at: str(o.at),
    problems: arr(o.problems).map(readProblem),
  };
}

function readZoneOutline(value: unknown): ZoneOutline {
  const o = obj(value);
  const id = str(o.id);
  const name = optStr(o.name);
  return {
    id,
    type: str(o.type),
    points: arr(o.points).map((p) => {
      const [x, y] = arr(p);
      return [num(x), num(y)] as const;
    }),
    ...(name === undefined ? {} : { name }),
  };
}

function readCameraSpec(value: unknown): CameraSpec {
  const o = obj(value);
  const name = optStr(o.name);
  return {
    id: str(o.id),
    zones: arr(o.zones).map(readZoneOutline),
    ...(name === undefined ? {} : { name }),
  };
}

/** Reads one client of `GET /clients` or `GET /clients/:name`. */
export function readClient(value: unknown): ClientView {
  const o = obj(value);
  const name = str(o.name);
  const message = optStr(o.message);
  const lastReport = readReport(o.lastReport);
  const spec = o.spec === undefined || o.spec === null ? undefined : obj(o.spec);
  return {
    name,
    displayName: str(o.displayName, name),
    state: oneOf(o.state, CLIENT_STATES, 'Progressing'),
    cameras: arr(o.cameras).map((c) => {
      const camera = readCamera(c);
      return camera.client === '' ? { ...camera, client: name } : camera;
    }),
    ...(message === undefined ? {} : { message }),
    ...(lastReport === undefined ? {} : { lastReport }),
    ...(spec === undefined ? {} : { specCameras: arr(spec.cameras).map(readCameraSpec) }),
  };
}
