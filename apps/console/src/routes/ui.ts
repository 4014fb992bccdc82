/**
 * The review UI's files. `index.html` answers `/` and every path the browser's router owns
 * (`/alerts/…`, `/cameras`, `/clients`, `/clients/…`, `/signin`); the built assets answer under
 * `/ui/`. The files are read once, when the plugin is registered, from the folder that
 * `apps/console/ui/build.js` writes (`apps/console/dist/ui`), so a request never touches the disk.
 *
 * The page is locked down: a Content-Security-Policy that allows only this origin (and `blob:`
 * images and media, for evidence fetched with the bearer token), no inline script or style, no
 * framing, no referrer.
 */

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.js';
import { addRoute } from '../http/route.js';

/** Where the built UI is. */
export interface UiOptions {
  /** The folder holding `index.html` and the assets (`apps/console/dist/ui`). */
  readonly root: string;
}

/** The policy the UI's page is served with. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The paths whose page is the UI's `index.html`. */
export const UI_PAGES = ['/', '/signin', '/cameras', '/clients', '/clients/*', '/alerts/*'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** A year: assets asked for with their current digest never change under that URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** The first 16 hex digits of the SHA-256, as `build.js` writes them into `?v=`. */
  readonly digest: string;
}

const HTML_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-cache',
};

async function readAssets(root: string): Promise<Map<string, Asset>> {
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch (error) {
    throw new Error(
      `the console UI is not built: cannot read ${root} (run node apps/console/ui/build.js)`,
      { cause: error },
    );
  }
  if (!names.includes('index.html')) {
    throw new Error(
      `the console UI is not built: ${join(root, 'index.html')} is missing (run node apps/console/ui/build.js)`,
    );
  }
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) continue;
    const body = await readFile(join(root, name));
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
    assets.set(name, { body, type, digest });
  }
  return assets;
}

/** An asset's name, under `/ui/`. */
function parseAssetParams(params: unknown): { readonly name: string } {
  const name = (params as { '*'?: unknown })['*'];
  return { name: typeof name === 'string' ? name : '' };
}

/** The digest an asset was asked for with (`?v=`); anything else asks for no version. */
function parseAssetQuery(query: unknown): { readonly version?: string } {
  const version = (query as { v?: unknown }).v;
  return typeof version === 'string' ? { version } : {};
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cache: string) {
  const etag = `"${asset.digest}"`;
  void reply.header('etag', etag).header('cache-control', cache);
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.header('content-type', asset.type).send(asset.body);
}

/**
 * Serves the built review UI. Register it with the folder of the build:
 * `app.register(uiRoutes, { root: 'apps/console/dist/ui' })`. Registration fails when the
 * folder holds no `index.html`, naming the build command.
 */
export const uiRoutes: FastifyPluginAsync<UiOptions> = async (app, options) => {
  const assets = await readAssets(options.root);
  const index = assets.get('index.html');
  if (index === undefined) throw new Error('unreachable: readAssets checks index.html');

  // The page and its assets are public: signing in happens inside the page.
  for (const path of UI_PAGES) {
    addRoute(app, {
      method: 'GET',
      url: path,
      caller: 'anyone',
      handle: ({ request }, reply) => {
        void reply.headers(HTML_HEADERS);
        return send(request, reply, index, 'no-cache');
      },
    });
  }

  addRoute(app, {
    method: 'GET',
    url: '/ui/*',
    caller: 'anyone',
    params: parseAssetParams,
    query: parseAssetQuery,
    handle: ({ request, params: { name }, query: { version } }, reply) => {
      const asset = name === 'index.html' ? undefined : assets.get(name);
      if (asset === undefined) throw new NotFoundError(`no UI file ${name}`);
      void reply.header('x-content-type-options', 'nosniff');
      return send(request, reply, asset, version === asset.digest ? IMMUTABLE : 'no-cache');
    },
  });
};
