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
import {
  chainAuthenticators,
  createJwtAuthenticator,
  createTokenAuthenticator,
} from './authenticate.js';

const AUDIENCE = '/projects/123456/global/backendServices/987654';
const IAP = 'https://cloud.google.com/iap';

describe('authentication', () => {
  let sql: SqlStore;
  // Keys made for this run: the IAP's own, and a stranger's.
  let iapKey: CryptoKey;
  let strangerKey: CryptoKey;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    sql = createPgliteSql(new PGlite());
    await migrate(sql);
    const iap = await generateKeyPair('ES256');
    iapKey = iap.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(iap.publicKey)), kid: 'iap-1', alg: 'ES256' };
    jwks = createLocalJWKSet({ keys: [jwk] });
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

  it('maps the IAP signed header to the granted role, whatever the email case', async () => {
    const authenticate = createJwtAuthenticator({
      sql,
      kind: 'iap',
      audience: AUDIENCE,
      keys: jwks,
    });
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
    const authenticate = createJwtAuthenticator({
      sql,
      kind: 'iap',
      audience: AUDIENCE,
      keys: jwks,
    });
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
    for (const [name, token] of Object.entries(cases)) {
      await assert.rejects(authenticate({ 'x-goog-iap-jwt-assertion': token }), AuthError, name);
    }
  });

  it('takes console API tokens first, and OIDC bearer tokens otherwise', async () => {
    const token = await createApiToken(sql, { subject: 'ci', role: 'viewer', clients: ['acme'] });
    const authenticate = chainAuthenticators(
      createTokenAuthenticator(sql),
      createJwtAuthenticator({ sql, kind: 'oidc', issuer: IAP, audience: AUDIENCE, keys: jwks }),
    );
    assert.deepEqual(await authenticate({ authorization: `Bearer ${token}` }), {
      subject: 'ci',
      role: 'viewer',
      clients: ['acme'],
    });
    const jwt = await sign({ email: 'sec@vigie.example' });
    assert.deepEqual(await authenticate({ authorization: `Bearer ${jwt}` }), {
      subject: 'sec@vigie.example',
      role: 'admin',
      clients: '*',
    });
    await assert.rejects(
      authenticate({ authorization: 'Bearer vga_notatokenthatexists' }),
      AuthError,
    );
  });
});
