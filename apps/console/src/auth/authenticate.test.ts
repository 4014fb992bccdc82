import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import type { CryptoKey, JWK, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../app.js';
import { AuthError } from '../errors.js';
import { createFolderEvidenceStore } from '../storage/evidence.js';
import { migrate } from '../storage/db.js';
import { createApiToken, setUser } from '../storage/people.js';
import { createPgliteSql } from '../storage/pglite.js';
import type { SqlStore } from '../storage/postgres.js';
import type { Authenticator } from './authenticate.js';
import {
  chainAuthenticators,
  createJwtAuthenticator,
  createTokenAuthenticator,
} from './authenticate.js';

const AUDIENCE = '/projects/123456/global/backendServices/987654';
const IAP = 'https://cloud.google.com/iap';
const OIDC_ISSUER = 'https://login.acme.example';
const OIDC_CLIENT = 'vigie-console';

/** Claims to sign; `undefined` leaves one out. */
type Claims = Readonly<Record<string, unknown>>;

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const now = () => Math.floor(Date.now() / 1000);

describe('authentication', () => {
  let sql: SqlStore;
  // Keys made for this run: the IAP's own, the OIDC issuer's, and a stranger's.
  let iapKey: CryptoKey;
  let oidcKey: CryptoKey;
  let strangerKey: CryptoKey;
  let iapPublic: CryptoKey;
  let oidcPublic: CryptoKey;
  let iapKeys: ReturnType<typeof createLocalJWKSet>;
  let oidcKeys: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    sql = createPgliteSql(new PGlite());
    await migrate(sql);
    const iap = await generateKeyPair('ES256');
    iapKey = iap.privateKey;
    iapPublic = iap.publicKey;
    const oidc = await generateKeyPair('RS256');
    oidcKey = oidc.privateKey;
    oidcPublic = oidc.publicKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const iapJwk: JWK = { ...(await exportJWK(iap.publicKey)), kid: 'iap-1', alg: 'ES256' };
    iapKeys = createLocalJWKSet({ keys: [iapJwk] });
    const oidcJwk: JWK = { ...(await exportJWK(oidc.publicKey)), kid: 'oidc-1', alg: 'RS256' };
    oidcKeys = createLocalJWKSet({ keys: [oidcJwk] });
    await setUser(sql, { subject: 'Ana@Acme.example', role: 'viewer', clients: ['acme'] });
    await setUser(sql, { subject: 'sec@vigie.example', role: 'admin', clients: '*' });
  });
  after(() => sql.close());

  const sign = (
    claims: Record<string, unknown>,
    key = iapKey,
    options: { audience?: string; issuer?: string; expires?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'iap-1' })
      .setIssuer(options.issuer ?? IAP)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '10m')
      .sign(key);

  /** An IAP header with every claim given; `undefined` leaves a claim out. */
  const iapToken = (claims: Claims, header: Record<string, unknown> = {}, key = iapKey) =>
    new SignJWT({
      iss: IAP,
      aud: AUDIENCE,
      iat: now(),
      exp: now() + 600,
      email: 'sec@vigie.example',
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'iap-1', ...header })
      .sign(key);

  /** An ID token from the OIDC issuer with every claim given; `undefined` leaves one out. */
  const idToken = (claims: Claims, header: Record<string, unknown> = {}, key = oidcKey) =>
    new SignJWT({
      iss: OIDC_ISSUER,
      aud: OIDC_CLIENT,
      sub: '1001',
      iat: now(),
      exp: now() + 3600,
      email: 'sec@vigie.example',
      email_verified: true,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'oidc-1', ...header })
      .sign(key);

  /** Key lookups made since the last reset: each one is work a caller made us do. */
  let keyLookups = 0;
  const counted =
    (keys: JWTVerifyGetKey): JWTVerifyGetKey =>
    (header, token) => {
      keyLookups += 1;
      return keys(header, token);
    };
  const iapAuthenticator = () =>
    createJwtAuthenticator({ sql, kind: 'iap', audience: AUDIENCE, keys: counted(iapKeys) });
  const oidcAuthenticator = () =>
    createJwtAuthenticator({
      sql,
      kind: 'oidc',
      issuer: OIDC_ISSUER,
      audience: OIDC_CLIENT,
      keys: counted(oidcKeys),
    });

  /** A token with any header and claims, and the signature given (none by default). */
  const unsigned = (header: unknown, claims: unknown, signature = '') =>
    `${b64(header)}.${b64(claims)}.${signature}`;
  const iapClaims = () => ({
    iss: IAP,
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 600,
    email: 'sec@vigie.example',
  });
  const oidcClaims = () => ({
    iss: OIDC_ISSUER,
    aud: OIDC_CLIENT,
    iat: now(),
    exp: now() + 600,
    email: 'sec@vigie.example',
    email_verified: true,
  });
  /** An HMAC token keyed with the given (public) bytes, as a confused verifier would check it. */
  const hmacToken = (claims: Claims, secret: string, kid: string) =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode(secret));

  /** Asserts that every token is refused with an AuthError; lists those that were not. */
  const refusesAll = async (
    authenticate: Authenticator,
    header: (token: string) => Record<string, string>,
    cases: Readonly<Record<string, string>>,
  ) => {
    const notRefused: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      try {
        await authenticate(header(token));
        notRefused.push(`${name}: accepted`);
      } catch (error) {
        if (!(error instanceof AuthError)) notRefused.push(`${name}: ${String(error)}`);
      }
    }
    assert.deepEqual(notRefused, []);
  };
  const asIap = (token: string) => ({ 'x-goog-iap-jwt-assertion': token });
  const asBearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('maps the IAP signed header to the granted role, whatever the email case', async () => {
    const authenticate = iapAuthenticator();
    const principal = await authenticate({
      'x-goog-iap-jwt-assertion': await sign({
        email: 'ana@acme.example',
        sub: 'accounts.google.com:1',
      }),
    });
    assert.deepEqual(principal, { subject: 'ana@acme.example', role: 'viewer', clients: ['acme'] });
    assert.equal(await authenticate({}), undefined, 'no header: not this authenticator’s request');
  });

  it('refuses forged, misdirected, expired and unknown identities', async () => {
    const cases = {
      'signed by another key': await sign({ email: 'sec@vigie.example' }, strangerKey),
      'for another backend': await sign({ email: 'sec@vigie.example' }, iapKey, {
        audience: '/projects/1/global/backendServices/2',
      }),
      'from another issuer': await sign({ email: 'sec@vigie.example' }, iapKey, {
        issuer: 'https://evil.example',
      }),
      expired: await sign({ email: 'sec@vigie.example' }, iapKey, { expires: '-2h' }),
      'without an email': await sign({ sub: 'x' }),
      'not granted': await sign({ email: 'mallory@elsewhere.example' }),
      'not a JWT': 'eyJhbGciOiJub25lIn0.e30.',
    };
    await refusesAll(iapAuthenticator(), asIap, cases);
  });

  it('takes console API tokens first, and OIDC bearer tokens otherwise', async () => {
    const token = await createApiToken(sql, { subject: 'ci', role: 'viewer', clients: ['acme'] });
    const authenticate = chainAuthenticators(createTokenAuthenticator(sql), oidcAuthenticator());
    assert.deepEqual(await authenticate(asBearer(token)), {
      subject: 'ci',
      role: 'viewer',
      clients: ['acme'],
    });
    assert.deepEqual(await authenticate(asBearer(await idToken({}))), {
      subject: 'sec@vigie.example',
      role: 'admin',
      clients: '*',
    });
    await assert.rejects(authenticate(asBearer('vga_notatokenthatexists')), AuthError);
  });

  it('refuses identities without an expiry or issued in the future', async () => {
    const hour = 3600;
    await refusesAll(iapAuthenticator(), asIap, {
      'no exp': await iapToken({ exp: undefined }),
      'exp not a number': await iapToken({ exp: String(now() + 600) }),
      'no iat': await iapToken({ iat: undefined }),
      'iat five minutes ahead': await iapToken({ iat: now() + 300 }),
      'iat a day ahead': await iapToken({ iat: now() + 24 * hour, exp: now() + 25 * hour }),
      'nbf five minutes ahead': await iapToken({ nbf: now() + 300 }),
      // IAP headers live ten minutes; one issued an hour ago, whatever its exp, is not IAP's.
      'issued an hour ago': await iapToken({ iat: now() - hour, exp: now() + hour }),
    });
    await refusesAll(oidcAuthenticator(), asBearer, {
      'ID token without exp': await idToken({ exp: undefined }),
      'ID token without iat': await idToken({ iat: undefined }),
      'ID token issued in an hour': await idToken({ iat: now() + hour, exp: now() + 2 * hour }),
      'ID token not before an hour': await idToken({ nbf: now() + hour }),
      'ID token issued two days ago': await idToken({
        iat: now() - 48 * hour,
        exp: now() + hour,
      }),
    });
    // A clock a few seconds ahead of ours is tolerated.
    const skewed = await iapToken({ iat: now() + 10, nbf: now() + 10 });
    assert.equal((await iapAuthenticator()(asIap(skewed)))?.subject, 'sec@vigie.example');
  });

  it('refuses tokens made without the signer’s private key', async () => {
    const iapPem = await exportSPKI(iapPublic);
    const iapJwk = JSON.stringify(await exportJWK(iapPublic));
    const strangerJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const zeroSignature = Buffer.alloc(64).toString('base64url');
    await refusesAll(iapAuthenticator(), asIap, {
      'alg none': unsigned({ alg: 'none', kid: 'iap-1' }, iapClaims()),
      'alg None': unsigned({ alg: 'None', kid: 'iap-1' }, iapClaims()),
      'alg NONE, with a signature': unsigned({ alg: 'NONE' }, iapClaims(), zeroSignature),
      'HS256 keyed with the public key (PEM)': await hmacToken(iapClaims(), iapPem, 'iap-1'),
      'HS256 keyed with the public key (JWK)': await hmacToken(iapClaims(), iapJwk, 'iap-1'),
      'an all-zero ES256 signature': unsigned(
        { alg: 'ES256', kid: 'iap-1' },
        iapClaims(),
        zeroSignature,
      ),
      'a kid not in the key set': await iapToken({}, { kid: 'iap-2' }, strangerKey),
      'no kid, signed by a stranger': await iapToken({}, { kid: undefined }, strangerKey),
      'the stranger’s key embedded (jwk)': await iapToken({}, { jwk: strangerJwk }, strangerKey),
      'the stranger’s keys by URL (jku)': await iapToken(
        {},
        { jku: 'https://evil.example/jwks.json' },
        strangerKey,
      ),
      'an OIDC ID token': await idToken({}),
      'for another audience': await iapToken({ aud: '/projects/1/global/backendServices/2' }),
      'from another issuer': await iapToken({ iss: 'https://evil.example' }),
      'an issuer of another type': await iapToken({ iss: [IAP] }),
    });
    const oidcPem = await exportSPKI(oidcPublic);
    await refusesAll(oidcAuthenticator(), asBearer, {
      'alg none': unsigned({ alg: 'none', kid: 'oidc-1' }, oidcClaims()),
      'HS256 keyed with the public key (PEM)': await hmacToken(oidcClaims(), oidcPem, 'oidc-1'),
      'a kid not in the key set': await idToken({}, { alg: 'ES256', kid: 'oidc-2' }, strangerKey),
      'an IAP header': await iapToken({ email_verified: true }),
      'for another client': await idToken({ aud: 'someone-else' }),
      'from another issuer': await idToken({ iss: 'https://login.evil.example' }),
      'the issuer with a trailing slash': await idToken({ iss: `${OIDC_ISSUER}/` }),
    });
  });

  it('refuses malformed and oversized tokens before any key is looked up', async () => {
    const header = b64({ alg: 'ES256', kid: 'iap-1' });
    const claims = b64(iapClaims());
    const signature = Buffer.alloc(64, 1).toString('base64url');
    const malformed = {
      empty: '',
      dots: '..',
      'one part': header,
      'two parts': `${header}.${claims}`,
      'four parts': `${header}.${claims}.${signature}.${signature}`,
      'an empty header': `.${claims}.${signature}`,
      'not base64url': `${header}.${claims}.!!!`,
      // `{"alg":"ES256","kid":"???"}` in standard base64, with its `/`.
      'standard base64': `eyJhbGciOiJFUzI1NiIsImtpZCI6Ij8/PyJ9.${claims}.${signature}`,
      'padded base64url': `${header}==.${claims}.${signature}`,
      'a space inside': `${header}.${claims} .${signature}`,
      'not JSON': `${b64('{alg: ES256')}.${claims}.${signature}`,
      'a JSON array': `${b64([])}.${claims}.${signature}`,
      'JSON null': `${b64(null)}.${claims}.${signature}`,
      'a number for alg': `${b64({ alg: 7 })}.${claims}.${signature}`,
      'unknown critical extensions': `${b64({ alg: 'ES256', crit: ['vigie'], vigie: 1 })}.${claims}.${signature}`,
      'non-ASCII': `${header}.${claims}.é${signature}`,
      '9 KiB': `${header}.${'A'.repeat(9 * 1024)}.${signature}`,
      '1 MiB of claims': `${header}.${'A'.repeat(1 << 20)}.${signature}`,
      '1 MiB of header': `${b64({ alg: 'ES256', kid: 'k'.repeat(1 << 20) })}.${claims}.${signature}`,
      '100,000 dots': '.'.repeat(100_000),
    };
    keyLookups = 0;
    await refusesAll(iapAuthenticator(), asIap, malformed);
    assert.equal(keyLookups, 0, 'no key was looked up for a malformed IAP header');

    // A bearer the console cannot read is no credential: answered 401 without a key lookup.
    const chain = chainAuthenticators(createTokenAuthenticator(sql), oidcAuthenticator());
    const notAccepted: string[] = [];
    for (const [name, token] of Object.entries(malformed)) {
      const principal = await chain(asBearer(token)).catch((error: unknown) => {
        if (!(error instanceof AuthError)) throw error;
      });
      if (principal !== undefined) notAccepted.push(name);
    }
    assert.deepEqual(notAccepted, []);
    assert.equal(keyLookups, 0, 'no key was looked up for a malformed bearer');
  });

  it('answers every refused identity with 401 VIGIE_E_UNAUTHENTICATED', async () => {
    const evidenceDir = mkdtempSync(join(tmpdir(), 'vigie-auth-'));
    const app = buildApp({
      sql,
      evidence: createFolderEvidenceStore(evidenceDir),
      directory: { list: () => Promise.resolve([]) },
      authenticate: chainAuthenticators(
        createTokenAuthenticator(sql),
        iapAuthenticator(),
        oidcAuthenticator(),
      ),
    });
    try {
      const me = (headers: Record<string, string>) =>
        app.inject({ method: 'GET', url: '/api/v1/me', headers });
      assert.equal((await me(asIap(await iapToken({})))).statusCode, 200);
      assert.equal((await me(asBearer(await idToken({})))).statusCode, 200);
      const refused = {
        'IAP, unverified email': asIap(await iapToken({ email_verified: false })),
        'IAP, no exp': asIap(await iapToken({ exp: undefined })),
        'IAP, issued in the future': asIap(await iapToken({ iat: now() + 300 })),
        'IAP, alg none': asIap(unsigned({ alg: 'none' }, iapClaims())),
        'IAP, 1 MiB': asIap(`${b64({ alg: 'ES256' })}.${'A'.repeat(1 << 20)}.AAAA`),
        'IAP, malformed': asIap('not.a.jwt'),
        'OIDC, unverified email': asBearer(await idToken({ email_verified: false })),
        'OIDC, no exp': asBearer(await idToken({ exp: undefined })),
        'OIDC, HS256 with the public key': asBearer(
          await hmacToken(oidcClaims(), await exportSPKI(oidcPublic), 'oidc-1'),
        ),
        'OIDC, 64 KiB': asBearer('A'.repeat(64 * 1024)),
        'OIDC, malformed': asBearer('eyJ.eyJ.eyJ'),
      };
      const answers: Record<string, string> = {};
      for (const [name, headers] of Object.entries(refused)) {
        const reply = await me(headers);
        const body = reply.json<{ code?: string }>();
        answers[name] = `${String(reply.statusCode)} ${String(body.code)}`;
      }
      assert.deepEqual(
        answers,
        Object.fromEntries(
          Object.keys(refused).map((name) => [name, '401 VIGIE_E_UNAUTHENTICATED']),
        ),
      );
    } finally {
      await app.close();
      rmSync(evidenceDir, { recursive: true, force: true });
    }
  });

  it('takes an OIDC email only when the issuer says it verified it', async () => {
    const authenticate = oidcAuthenticator();
    await refusesAll(authenticate, asBearer, {
      'email_verified false': await idToken({ email_verified: false }),
      'email_verified missing': await idToken({ email_verified: undefined }),
      'email_verified the string "true"': await idToken({ email_verified: 'true' }),
      'email_verified 1': await idToken({ email_verified: 1 }),
    });
    assert.equal(
      (await authenticate(asBearer(await idToken({ email: 'Ana@acme.example' }))))?.subject,
      'ana@acme.example',
    );
    // IAP vouches for its Google identities without the claim; one that says otherwise is refused.
    assert.equal(
      (await iapAuthenticator()(asIap(await iapToken({}))))?.subject,
      'sec@vigie.example',
    );
    await refusesAll(iapAuthenticator(), asIap, {
      'IAP email_verified false': await iapToken({ email_verified: false }),
    });
  });
});
