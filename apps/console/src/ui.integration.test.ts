/**
 * The review UI in a real browser (Debian's Chromium, driven by playwright-core) against the
 * real console: PGlite storage, evidence in a folder, alerts posted through the ingest API with
 * a real JPEG snapshot and an H.264 clip. It covers what an operator notices: signing in, the
 * inbox and its live arrivals, an alert's evidence and explanation, reviewing with the keyboard,
 * camera health and a rejected upload's problems.
 *
 * Screenshots of each page go to `VIGIE_SCREENSHOTS` (default: a temporary folder); their paths
 * are printed.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseClientConfig, toClientResource } from '@vigie/config';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import type { ConsoleApp } from './app.js';
import { buildApp } from './app.js';
import type { CameraHealth, ClientView } from './ports.js';
import { setIngestToken } from './storage/alerts.js';
import { createApiToken } from './storage/people.js';
import type { Fixture } from './testing/fixtures.js';
import { fixedDirectory, openFixture, secret } from './testing/fixtures.js';

const UI_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'ui');
const SUBJECT = 'lea.martin@acme.example';

/** Debian's Chromium, or a failure that says how to get it. */
function chromiumPath(): string {
  const found = spawnSync('which', ['chromium'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(
      'Chromium is needed for the console UI test: install the Debian package "chromium" ' +
        '(apt-get install chromium, or scripts/ensure-debian-packages.sh)',
    );
  }
  return path;
}

const ACME_XML = `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="acme" name="Acme Market Rivoli" timezone="Europe/Paris">
  <contact name="Security desk" email="security@acme.example"/>
  <cameras>
    <camera id="aisle" name="Cosmetics aisle">
      <stream url="rtsp://10.20.0.11:554/stream1"/>
      <analysis fps="5" width="1280" height="720"/>
      <zones>
        <zone id="cosmetics" type="shelf" name="Cosmetics shelf" points="0.02,0.12 0.24,0.12 0.24,0.52 0.02,0.52"/>
        <zone id="perfume" type="high-value" name="Perfume counter" points="0.40,0.10 0.60,0.10 0.60,0.38 0.40,0.38"/>
        <zone id="tills" type="checkout" name="Tills" points="0.68,0.55 0.92,0.55 0.92,0.80 0.68,0.80"/>
        <zone id="door" type="exit" name="Main door" points="0.36,0.90 0.64,0.90 0.64,1 0.36,1"/>
        <zone id="stockroom" type="restricted" name="Stock room" points="0.86,0.18 1,0.18 1,0.50 0.86,0.50"/>
      </zones>
    </camera>
    <camera id="entrance" name="Entrance">
      <stream url="rtsp://10.20.0.12:554/stream1"/>
      <zones>
        <zone id="doors" type="exit" name="Front doors" points="0.1,0.6 0.9,0.6 0.9,1 0.1,1"/>
      </zones>
    </camera>
    <camera id="stockroom" name="Stock room door">
      <stream url="rtsp://10.20.0.14:554/stream2"/>
    </camera>
    <camera id="dock" name="Loading dock" enabled="false">
      <stream url="rtsp://10.20.0.15:554/stream1"/>
    </camera>
  </cameras>
</client>`;

// The upload that was refused: its problems are what the clients page shows.
const GLOBEX_REFUSED_XML = `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="globex" name="Globex Superstore" timezone="Europe/Paris">
  <contact name="Store manager" email="manager@globex.example"/>
  <cameras>
    <camera id="checkout" name="Checkout lanes">
      <stream url="rtsp://10.30.0.5:554/live" transport="quic"/>
      <analysis fps="60"/>
      <zones>
        <zone id="lanes" type="checkout" points="0.1,0.2 0.9,0.2 0.9,0.8"/>
        <zone id="exit" type="door" colour="red" points="0.1,0.9 0.9,0.9 0.9,1 0.1,1"/>
      </zones>
    </camera>
  </cameras>
</client>`;

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function directory(): ClientView[] {
  const parsed = parseClientConfig(ACME_XML, { expectedId: 'acme' });
  if (!parsed.ok)
    throw new Error(`the test's acme config is invalid: ${parsed.problems[0]?.message ?? ''}`);
  const acmeSpec = toClientResource(parsed.config).spec;
  const refused = parseClientConfig(GLOBEX_REFUSED_XML, { expectedId: 'globex' });
  if (refused.ok) throw new Error("the test's refused globex config was accepted");
  const camera = (
    client: string,
    id: string,
    name: string,
    state: CameraHealth['state'],
    extra: Partial<CameraHealth> = {},
  ): CameraHealth => ({ client, camera: id, name, state, ...extra });
  return [
    {
      name: 'acme',
      displayName: 'Acme Market Rivoli',
      spec: acmeSpec,
      state: 'Degraded',
      message: '1 of 3 cameras is down: Stock room door.',
      lastReport: {
        result: 'accepted',
        object: 'client-configs/acme.xml',
        generation: '1764151200000000',
        at: minutesAgo(60 * 26),
        problems: [],
      },
      cameras: [
        camera('acme', 'aisle', 'Cosmetics aisle', 'Up', { since: minutesAgo(60 * 5) }),
        camera('acme', 'entrance', 'Entrance', 'Up', { since: minutesAgo(60 * 5) }),
        camera('acme', 'stockroom', 'Stock room door', 'Down', {
          code: 'VIGIE_E_STREAM_UNREACHABLE',
          reason: 'rtsp://10.20.0.14:554/stream2: connection timed out after 10 s',
          since: minutesAgo(14),
        }),
        camera('acme', 'dock', 'Loading dock', 'Disabled'),
      ],
    },
    {
      name: 'globex',
      displayName: 'Globex Superstore',
      state: 'Rejected',
      message: 'The last upload was refused (4 problems); the previous config keeps running.',
      lastReport: {
        result: 'rejected',
        object: 'client-configs/globex.xml',
        generation: '1764158400000000',
        at: minutesAgo(9),
        problems: refused.problems.map((p) => ({
          code: p.code,
          message: p.message,
          line: p.line,
          column: p.column,
        })),
      },
      cameras: [
        camera('globex', 'checkout', 'Checkout lanes', 'Up', { since: minutesAgo(60 * 30) }),
        camera('globex', 'entrance', 'Entrance', 'Unknown'),
      ],
    },
  ];
}

/** A store aisle as a ceiling camera sees it, with the person's face already pixelated. */
async function storeSnapshot(): Promise<Buffer> {
  const products = (x: number, y: number, w: number, colours: string[]) =>
    colours
      .map(
        (c, i) =>
          `<rect x="${String(x + i * (w / colours.length) + 3)}" y="${String(y)}" width="${String(w / colours.length - 6)}" height="34" rx="3" fill="${c}"/>`,
      )
      .join('');
  const shelf = [0, 1, 2, 3]
    .map(
      (row) =>
        `<rect x="30" y="${String(110 + row * 66)}" width="272" height="6" fill="#6f6a60"/>` +
        products(36, 74 + row * 66, 260, [
          '#b65c7a',
          '#d9a5b3',
          '#7d8fb3',
          '#c9b27c',
          '#9fb59a',
          '#b0717f',
        ]),
    )
    .join('');
  const mosaic = [0, 1, 2, 3]
    .flatMap((r) =>
      [0, 1, 2, 3].map(
        (c) =>
          `<rect x="${String(306 + c * 15)}" y="${String(170 + r * 15)}" width="15" height="15" fill="${['#8d7a6c', '#6e5e52', '#a38f80', '#5b4d43'][(r + c) % 4] ?? '#777'}"/>`,
      ),
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720">
    <defs>
      <linearGradient id="floor" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#4a4d50"/><stop offset="1" stop-color="#2e3134"/>
      </linearGradient>
    </defs>
    <rect width="1280" height="720" fill="url(#floor)"/>
    <rect width="1280" height="60" fill="#3a3c3f"/>
    <rect x="24" y="70" width="284" height="300" fill="#55504a"/>${shelf}
    <rect x="512" y="72" width="256" height="200" rx="6" fill="#5f6870" stroke="#8c979f" stroke-width="3"/>
    <rect x="530" y="92" width="220" height="60" fill="#7d8a94"/>
    <rect x="870" y="396" width="308" height="180" rx="6" fill="#4d463d"/>
    <rect x="900" y="410" width="90" height="60" fill="#25282b"/><rect x="1050" y="410" width="90" height="60" fill="#25282b"/>
    <rect x="1101" y="130" width="179" height="230" fill="#3b3530" stroke="#6a5e52" stroke-width="4"/>
    <rect x="461" y="648" width="358" height="72" fill="#1d2022"/>
    <line x1="640" y1="648" x2="640" y2="720" stroke="#444" stroke-width="4"/>
    <ellipse cx="337" cy="652" rx="90" ry="14" fill="#1f2123" opacity="0.6"/>
    <path d="M282 262 Q337 232 392 262 L402 470 L272 470 Z" fill="#2f4a66"/>
    <path d="M286 272 L258 400 L292 430 L304 300 Z" fill="#2f4a66"/>
    <path d="M388 272 L380 380 L340 400 L344 380 L366 362 L370 300 Z" fill="#2f4a66"/>
    <circle cx="338" cy="398" r="11" fill="#c59b82"/>
    <rect x="282" y="466" width="52" height="178" rx="10" fill="#25272b"/>
    <rect x="342" y="466" width="52" height="178" rx="10" fill="#25272b"/>
    <rect x="300" y="236" width="76" height="30" fill="#c59b82"/>${mosaic}
    <rect x="0" y="0" width="440" height="36" fill="#000" opacity="0.55"/>
    <text x="14" y="25" font-family="DejaVu Sans Mono, monospace" font-size="18" fill="#e8e8e8">CAM aisle · Cosmetics aisle</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 84 }).toBuffer();
}

/** A two-second H.264 clip of the snapshot, as the detector's evidence would be. */
function clipOf(jpeg: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-ui-clip-'));
  try {
    writeFileSync(join(dir, 'frame.jpg'), jpeg);
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-i',
      join(dir, 'frame.jpg'),
      '-t',
      '2',
      '-r',
      '5',
      '-vf',
      'scale=640:-2',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      join(dir, 'clip.mp4'),
    ]);
    return readFileSync(join(dir, 'clip.mp4'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Seed {
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  readonly cameraName: string;
  readonly rule: string;
  readonly rules: string[];
  readonly score: number;
  readonly minutesAgo: number;
  readonly firings: {
    rule: string;
    t: number;
    zone?: { id: string; name: string; type: string };
    evidence: { t: number; what: string }[];
    explanation: string;
  }[];
}

const COSMETICS = { id: 'cosmetics', name: 'Cosmetics shelf', type: 'shelf' };

const SEEDS: Seed[] = [
  {
    id: 'acme-aisle-4f1c2a9e7b',
    client: 'acme',
    camera: 'aisle',
    cameraName: 'Cosmetics aisle',
    rule: 'concealment',
    rules: ['loitering', 'concealment'],
    score: 1.62,
    minutesAgo: 3,
    firings: [
      {
        rule: 'loitering',
        t: 806.2,
        zone: COSMETICS,
        evidence: [
          { t: 758.2, what: 'entered Cosmetics shelf' },
          { t: 806.2, what: 'still in Cosmetics shelf after 48.0 s' },
        ],
        explanation: 'Stayed in Cosmetics shelf for 48.0 s, longer than the 45.0 s threshold.',
      },
      {
        rule: 'concealment',
        t: 812.4,
        zone: COSMETICS,
        evidence: [
          { t: 810.2, what: 'right hand reached into Cosmetics shelf' },
          { t: 810.6, what: 'right hand went to the body' },
          { t: 812.4, what: 'right hand stayed at the body for 1.8 s' },
        ],
        explanation:
          'The right hand reached into Cosmetics shelf, went to the body 0.4 s later and stayed there for 1.8 s.',
      },
    ],
  },
  {
    id: 'acme-entrance-93be0d1f22',
    client: 'acme',
    camera: 'entrance',
    cameraName: 'Entrance',
    rule: 'exit-without-payment',
    rules: ['exit-without-payment'],
    score: 1.2,
    minutesAgo: 27,
    firings: [],
  },
  {
    id: 'acme-aisle-0c77d4e510',
    client: 'acme',
    camera: 'aisle',
    cameraName: 'Cosmetics aisle',
    rule: 'restricted-zone',
    rules: ['restricted-zone'],
    score: 1.0,
    minutesAgo: 71,
    firings: [],
  },
  {
    id: 'globex-checkout-5a2e81c9d3',
    client: 'globex',
    camera: 'checkout',
    cameraName: 'Checkout lanes',
    rule: 'loitering',
    rules: ['loitering'],
    score: 1.05,
    minutesAgo: 140,
    firings: [],
  },
  {
    id: 'acme-aisle-b81f3e6a04',
    client: 'acme',
    camera: 'aisle',
    cameraName: 'Cosmetics aisle',
    rule: 'concealment',
    rules: ['concealment'],
    score: 0.86,
    minutesAgo: 60 * 20,
    firings: [],
  },
];

const EXPLAIN: Record<string, string> = {
  'exit-without-payment':
    'Took goods from Snacks, then entered Front doors 14.2 s later without passing a checkout.',
  'restricted-zone': 'Entered Stock room, a restricted zone.',
  loitering: 'Stayed in Checkout lanes for 95.0 s, longer than the 90.0 s threshold.',
  concealment:
    'The left hand reached into Cosmetics shelf, went to the body 0.6 s later and stayed there for 0.8 s (less than the 1.0 s hold time: a weaker sign).',
};

function envelope(seed: Seed, jpeg: Buffer, detectedAt = minutesAgo(seed.minutesAgo)) {
  const explanation =
    seed.firings.length > 0
      ? seed.firings.map((f) => f.explanation).join(' ')
      : (EXPLAIN[seed.rule] ?? '');
  return {
    type: 'alert',
    alert: {
      id: seed.id,
      client: seed.client,
      camera: seed.camera,
      cameraName: seed.cameraName,
      shard: `${seed.client}-0`,
      rule: seed.rule,
      rules: seed.rules,
      trackId: 7,
      t: 812.4,
      score: seed.score,
      threshold: 1,
      sensitivity: 'medium',
      box: [262, 158, 414, 652],
      width: 1280,
      height: 720,
      zone: COSMETICS,
      firings: seed.firings.map((f) => ({ ...f, trackId: 7, strength: 1 })),
      evidenceTimes: [810.2, 810.6, 812.4],
      detectedAt,
      explanation,
    },
    snapshot: { contentType: 'image/jpeg', data: jpeg.toString('base64') },
  };
}

describe('review UI in Chromium', () => {
  let fixture: Fixture;
  let app: ConsoleApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let jpeg: Buffer;
  let token = '';
  const ingest = { acme: secret(), globex: secret() };
  const shots = process.env.VIGIE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'vigie-console-'));
  const problems: string[] = [];

  /** The console on 127.0.0.1, serving the UI, its live hub started. */
  const startConsole = async (listenPort: number, withUi = true) => {
    const started = buildApp({
      sql: fixture.sql,
      evidence: fixture.evidence,
      directory: fixedDirectory(directory()),
      ...(withUi ? { ui: { root: UI_ROOT } } : {}),
    });
    await started.hub.start();
    await started.listen({ host: '127.0.0.1', port: listenPort });
    return started;
  };
  const port = (server: ConsoleApp) => {
    const address = server.server.address();
    assert.ok(address !== null && typeof address === 'object');
    return address.port;
  };
  /** The public ID the console issued for each detector alert ID. */
  const issued = new Map<string, string>();
  const idOf = (key: string) => {
    const id = issued.get(key);
    assert.ok(id !== undefined, `alert ${key} was never stored`);
    return id;
  };
  const ingestPost = async (body: unknown, client: 'acme' | 'globex', to = base) => {
    const response = await fetch(`${to}/api/v1/ingest/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest[client]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.equal(response.status, 201, text);
    const { id, key } = JSON.parse(text) as { id: string; key: string };
    issued.set(key, id);
  };
  const apiGet = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}/api/v1${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    return (await response.json()) as T;
  };
  /**
   * Waits until a browser-side expression is true. Polled from here through the debugging
   * protocol, which the page's Content-Security-Policy does not govern (Playwright's own
   * waitForFunction evaluates strings inside the page, which the policy rightly refuses). The
   * expressions are strings because this file is compiled without DOM types.
   */
  const until = async (expression: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate(`Boolean(${expression})`))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** Waits for the address, which the UI changes with the History API. */
  const at = (path: string | RegExp) =>
    until(
      typeof path === 'string'
        ? `location.pathname + location.search === ${JSON.stringify(path)}`
        : `${path.toString()}.test(location.pathname + location.search)`,
    );
  const screenshot = async (name: string) => {
    const path = join(shots, `console-${name}.png`);
    await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    console.log(`screenshot: ${path}`);
  };

  before(async () => {
    assert.ok(
      existsSync(join(UI_ROOT, 'index.html')),
      `the UI is not built in ${UI_ROOT}: run node apps/console/ui/build.js (npm run build does)`,
    );
    const executablePath = chromiumPath();
    mkdirSync(shots, { recursive: true });
    fixture = await openFixture('pglite');
    await setIngestToken(fixture.sql, 'acme', ingest.acme);
    await setIngestToken(fixture.sql, 'globex', ingest.globex);
    token = await createApiToken(fixture.sql, { subject: SUBJECT, role: 'admin', clients: '*' });
    const colleague = await createApiToken(fixture.sql, {
      subject: 'karim.haddad@acme.example',
      role: 'viewer',
      clients: ['acme'],
    });
    app = await startConsole(0);
    base = `http://127.0.0.1:${String(port(app))}`;

    jpeg = await storeSnapshot();
    for (const seed of SEEDS)
      await ingestPost(envelope(seed, jpeg), seed.client === 'acme' ? 'acme' : 'globex');
    const clip = await fetch(`${base}/api/v1/ingest/alerts/${SEEDS[0]!.id}/clip`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ingest.acme}`, 'content-type': 'video/mp4' },
      body: clipOf(jpeg),
    });
    assert.equal(clip.status, 201, await clip.text());
    // Two alerts were judged earlier by a colleague.
    for (const [id, verdict, note] of [
      ['acme-aisle-0c77d4e510', 'confirmed', 'Went through the stock room door; guard called.'],
      ['acme-aisle-b81f3e6a04', 'dismissed', 'Staff member restocking.'],
    ] as const) {
      const response = await fetch(`${base}/api/v1/alerts/${idOf(id)}/review`, {
        method: 'POST',
        headers: { authorization: `Bearer ${colleague}`, 'content-type': 'application/json' },
        body: JSON.stringify({ verdict, note }),
      });
      assert.equal(response.status, 200, await response.text());
    }

    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: 'dark',
      locale: 'en-GB',
      timezoneId: 'Europe/Paris',
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  after(async () => {
    await browser.close();
    await app.close();
    await fixture.close();
  });

  it('signs in with a pasted token and shows who is signed in', async () => {
    await page.goto(`${base}/`);
    await at('/signin');
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await at(`/`);
    await page.locator('.principal-subject', { hasText: SUBJECT }).waitFor();
  });

  it('lists the seeded alerts, newest first, with their status', async () => {
    const rows = page.locator('tr[data-alert-id]');
    await rows.first().waitFor();
    const ids = await Promise.all(
      (await rows.all()).map((row) => row.getAttribute('data-alert-id')),
    );
    assert.deepEqual(
      ids,
      SEEDS.map((s) => idOf(s.id)),
    );
    const confirmed = page.locator(
      `tr[data-alert-id="${idOf('acme-aisle-0c77d4e510')}"] [data-status]`,
    );
    assert.equal(await confirmed.getAttribute('data-status'), 'confirmed');
    const time = page.locator(`tr[data-alert-id="${idOf(SEEDS[1]!.id)}"] time`);
    assert.match((await time.getAttribute('title')) ?? '', /UTC\+0[12]:00/);
  });

  it('shows an alert posted while the page is open, at the top, without a reload', async () => {
    await page.locator('[data-live="live"]').waitFor();
    const live: Seed = {
      ...SEEDS[0]!,
      id: 'acme-entrance-live7e21a0',
      camera: 'entrance',
      cameraName: 'Entrance',
      rule: 'exit-without-payment',
      rules: ['exit-without-payment'],
      score: 1.31,
      firings: [],
    };
    await ingestPost(envelope(live, jpeg, new Date().toISOString()), 'acme');
    const first = page.locator('tr[data-alert-id]').first();
    await until(
      `document.querySelector('tr[data-alert-id]')?.dataset.alertId === '${idOf(live.id)}'`,
    );
    assert.match((await first.getAttribute('class')) ?? '', /fresh/);
    await until(`document.title.startsWith('(1) ')`);
    await screenshot('inbox');
  });

  it('filters through the address', async () => {
    await page.selectOption('select[name=status]', 'dismissed');
    await at(/status=dismissed/);
    await until(`document.querySelectorAll('tr[data-alert-id]').length === 1`);
    assert.equal(
      await page.locator('tr[data-alert-id]').first().getAttribute('data-alert-id'),
      idOf('acme-aisle-b81f3e6a04'),
    );
    await page.goBack();
    await at(`/`);
    await until(
      `document.querySelectorAll('tr[data-alert-id]').length === ${String(SEEDS.length + 1)}`,
    );
  });

  it('catches up, after a console restart, on alerts another replica stored meanwhile', async () => {
    const listening = port(app);
    await app.close();
    await page.locator('[data-live="offline"]').waitFor();
    const replica = await startConsole(0, false);
    const missed: Seed = { ...SEEDS[2]!, id: 'acme-aisle-gap5d0e9f1a', firings: [] };
    await ingestPost(
      envelope(missed, jpeg, new Date().toISOString()),
      'acme',
      `http://127.0.0.1:${String(port(replica))}`,
    );
    await replica.close();
    app = await startConsole(listening);
    await page.locator('[data-live="live"]').waitFor();
    await until(
      `document.querySelector('tr[data-alert-id]')?.dataset.alertId === '${idOf(missed.id)}'`,
    );
    assert.match(
      (await page.locator('tr[data-alert-id]').first().getAttribute('class')) ?? '',
      /fresh/,
    );
  });

  it('opens an alert with the keyboard: snapshot, overlay, clip and explanation', async () => {
    // Escape leaves the filter that kept the focus, so that keys reach the list again.
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await at(`/alerts/${idOf(SEEDS[0]!.id)}`);
    await until(`document.querySelector('[data-testid=snapshot]')?.naturalWidth > 0`);
    assert.equal(
      await page.evaluate(`document.querySelector('[data-testid=snapshot]').naturalWidth`),
      1280,
    );
    await page.locator('[data-testid=person-box] rect').waitFor();
    await until(`document.querySelectorAll('[data-testid=overlay] polygon').length === 5`);
    const firings = page.locator('[data-testid=firings]');
    await firings.getByText('went to the body 0.4 s later').waitFor();
    await firings.getByText('right hand stayed at the body for 1.8 s').waitFor();
    assert.match((await page.locator('[data-testid=clip]').getAttribute('src')) ?? '', /^blob:/);
    await until(`document.querySelector('[data-testid=clip]')?.readyState === 4`);
    const duration = await page.evaluate(`document.querySelector('[data-testid=clip]').duration`);
    assert.ok(typeof duration === 'number' && duration > 1, `the clip lasts ${String(duration)} s`);
    await screenshot('alert');
    await page.keyboard.press('o');
    await page.locator('[data-testid=overlay]').waitFor({ state: 'detached' });
    await page.keyboard.press('o');
    await page.locator('[data-testid=overlay]').waitFor();
  });

  it('dismisses with d after a note written with n, and the API records it', async () => {
    const note = 'Customer put the lipstick back before leaving; checked on the entrance camera.';
    await page.keyboard.press('n');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'review-note');
    await page.keyboard.type(note);
    await page.keyboard.press('Escape');
    await page.keyboard.press('d');
    const review = page.locator('[data-testid=review]');
    await review.getByText(note).waitFor();
    assert.match(await review.innerText(), /Dismissed by lea\.martin@acme\.example/);
    const stored = await apiGet<{ status: string; review?: { note?: string; by: string } }>(
      `/alerts/${idOf(SEEDS[0]!.id)}`,
    );
    assert.equal(stored.status, 'dismissed');
    assert.ok(stored.review);
    assert.equal(stored.review.note, note);
    assert.equal(stored.review.by, SUBJECT);
  });

  it('goes to the next alert with j', async () => {
    await page.keyboard.press('j');
    await at(`/alerts/${idOf(SEEDS[1]!.id)}`);
    await page.locator('h1', { hasText: 'Exit without payment' }).waitFor();
  });

  it("shows a Down camera's code on the cameras page", async () => {
    await page.click('nav >> text=Cameras');
    await at(`/cameras`);
    const row = page.locator('[data-client=acme] tr[data-camera=stockroom]');
    await row.getByText('VIGIE_E_STREAM_UNREACHABLE').waitFor();
    assert.equal(await row.locator('[data-state]').getAttribute('data-state'), 'Down');
    await screenshot('cameras');
  });

  it("shows a rejected client's problems like compiler errors", async () => {
    await page.click('nav >> text=Clients');
    await at(`/clients`);
    const row = page.locator('tr[data-client=globex]');
    await row.locator('[data-state=Rejected]').waitFor();
    assert.match(await row.innerText(), /globex\.xml:6:\d+\s+error\s+VIGIE_E_SCHEMA_ENUM/);
    await screenshot('clients');
    await row.getByRole('link', { name: 'Globex Superstore' }).click();
    await at(`/clients/globex`);
    await page.getByText('has no attribute "colour"').waitFor();
    assert.equal(await page.locator('[data-testid=problems] .problem').count(), 4);
    await screenshot('client');
  });

  it('returns to sign-in with a message when the API refuses the token', async () => {
    await page.evaluate(`sessionStorage.setItem('vigie.token', 'vga_revoked-or-mistyped-token')`);
    await page.goto(`${base}/cameras`);
    await at('/signin?next=%2Fcameras');
    await page.locator('[data-testid=signin-notice]').waitFor();
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await at(`/cameras`);
  });

  it('serves the page with a strict policy, and the browser reported no violation', async () => {
    const response = await fetch(`${base}/alerts/whatever`);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.deepEqual(problems, []);
  });
});
