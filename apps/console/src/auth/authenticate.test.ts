import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import type { CryptoKey, JWK } from 'jose';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AuthError } from '../errors.js';
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

const now = () => Math.floor(Date.now() / 1000);

describe('authentication', () => {
  let sql: SqlStore;
  // Keys made for this run: the IAP's own, the OIDC issuer's, and a stranger's.
  let iapKey: CryptoKey;
  let oidcKey: CryptoKey;
  let strangerKey: CryptoKey;
  let iapKeys: ReturnType<typeof createLocalJWKSet>;
  let oidcKeys: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    sql = createPgliteSql(new PGlite());
    await migrate(sql);
    const iap = await generateKeyPair('ES256');
    iapKey = iap.privateKey;
    const oidc = await generateKeyPair('RS256');
    oidcKey = oidc.privateKey;
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

  const iapAuthenticator = () =>
    createJwtAuthenticator({ sql, kind: 'iap', audience: AUDIENCE, keys: iapKeys });
  const oidcAuthenticator = () =>
    createJwtAuthenticator({
      sql,
      kind: 'oidc',
      issuer: OIDC_ISSUER,
      audience: OIDC_CLIENT,
      keys: oidcKeys,
    });

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
