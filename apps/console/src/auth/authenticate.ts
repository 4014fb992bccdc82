/**
 * Request credentials to a {@link Principal}. Three kinds, tried in order:
 * - console API tokens (`Authorization: Bearer vga_…`), created by `vigie up` or an admin;
 * - the Identity-Aware Proxy's signed header (`x-goog-iap-jwt-assertion`), in production;
 * - an OIDC ID token (`Authorization: Bearer <JWT>`) from a configured issuer.
 * A signed-in email sees only what the `users` table grants it.
 *
 * An email is taken only when its issuer vouches for it: an OIDC ID token must carry
 * `email_verified: true` (the boolean; anything else, or no claim, is refused), since many
 * issuers let anyone register an address they do not own. IAP does not send the claim, because
 * its emails are the Google identities it signed in; an IAP header that carries it with any
 * value but `true` is refused all the same.
 *
 * Every signed identity must say when it was issued (`iat`) and when it expires (`exp`): one
 * without either is refused, as is one issued, or valid only (`nbf`), more than
 * {@link CLOCK_SKEW_S} seconds in the future. Its age is bounded too, whatever its `exp`: IAP
 * signs headers for ten minutes, and an ID token older than a day is not taken.
 *
 * What a caller without a key can send costs little: a token longer than 8 KiB, or not three
 * base64url parts, is refused before it is decoded; only the expected algorithms are accepted
 * (never `none` nor HMAC, so a public key cannot serve as a secret); keys come only from the
 * configured key set, never from the token's own `jwk` or `jku`, and a `kid` it lacks is refused
 * (a remote set is fetched again at most every 30 s). Every refusal is an {@link AuthError}.
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { errorMessage } from '@vigie/log';
import { AuthError } from '../errors.js';
import type { Sql } from '../storage/db.js';
import { principalOfEmail, principalOfToken, TOKEN_PREFIX } from '../storage/people.js';
import type { Principal } from '../principal.js';

/** Finds who is asking; undefined when the request carries no credentials this one knows. */
export type Authenticator = (headers: IncomingHttpHeaders) => Promise<Principal | undefined>;

/** The Identity-Aware Proxy's signing keys and issuer. */
export const IAP_JWKS_URL = 'https://www.gstatic.com/iap/verify/public_key-jwk';
const IAP_ISSUER = 'https://cloud.google.com/iap';

/** The longest signed identity looked at: IAP headers and ID tokens are about a kilobyte. */
const MAX_JWT_CHARS = 8192;
/** A compact JWS, three base64url parts; anything else is refused before it is decoded. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** How far the signer's clock may be from ours, in seconds, for `iat`, `nbf` and `exp`. */
const CLOCK_SKEW_S = 30;
/** The oldest IAP header taken (after the skew): IAP's own lifetime. */
const IAP_MAX_AGE_S = 10 * 60;
/** The oldest OIDC ID token taken (after the skew), whatever its `exp` says. */
const OIDC_MAX_AGE_S = 24 * 60 * 60;

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer ([\x21-\x7e]{16,4096})$/.exec(headers.authorization ?? '');
  return match?.[1];
}

/** Console API tokens. */
export function createTokenAuthenticator(sql: Sql): Authenticator {
  return async (headers) => {
    const token = bearer(headers);
    if (token === undefined || !token.startsWith(TOKEN_PREFIX)) return undefined;
    const principal = await principalOfToken(sql, token);
    if (principal === undefined) throw new AuthError('the API token is not known');
    return principal;
  };
}

/** Options of {@link createJwtAuthenticator}. */
export interface JwtOptions {
  readonly sql: Sql;
  /** `iap`: the IAP header, issuer and keys; `oidc`: a bearer ID token. */
  readonly kind: 'iap' | 'oidc';
  /** IAP: `/projects/NUMBER/global/backendServices/ID` (or `…/apps/PROJECT` for App Engine). */
  readonly audience: string;
  /** OIDC: the issuer URL. IAP's is fixed. */
  readonly issuer?: string;
  /** The signing keys (JWKS); IAP's by default. */
  readonly jwksUrl?: string;
  /** Resolves keys; tests pass a local key set. */
  readonly keys?: JWTVerifyGetKey;
}

/** Signed identities from IAP or an OIDC issuer, mapped to roles by the `users` table. */
export function createJwtAuthenticator(options: JwtOptions): Authenticator {
  const issuer = options.kind === 'iap' ? IAP_ISSUER : options.issuer;
  if (issuer === undefined) throw new Error('an OIDC authenticator needs its issuer');
  const jwksUrl = options.jwksUrl ?? (options.kind === 'iap' ? IAP_JWKS_URL : undefined);
  if (options.keys === undefined && jwksUrl === undefined) {
    throw new Error('an OIDC authenticator needs its JWKS URL');
  }
  const keys = options.keys ?? createRemoteJWKSet(new URL(jwksUrl ?? ''));
  return async (headers) => {
    let token: string | undefined;
    if (options.kind === 'iap') {
      const header = headers['x-goog-iap-jwt-assertion'];
      token = typeof header === 'string' ? header : undefined;
    } else {
      const candidate = bearer(headers);
      token = candidate?.startsWith(TOKEN_PREFIX) === true ? undefined : candidate;
    }
    if (token === undefined) return undefined;
    if (token.length > MAX_JWT_CHARS || !COMPACT_JWS.test(token)) {
      throw new AuthError('the signed identity is not a compact JWT');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience: options.audience,
        algorithms: options.kind === 'iap' ? ['ES256'] : ['RS256', 'ES256', 'PS256', 'EdDSA'],
        requiredClaims: ['iat', 'exp'],
        maxTokenAge: options.kind === 'iap' ? IAP_MAX_AGE_S : OIDC_MAX_AGE_S,
        clockTolerance: CLOCK_SKEW_S,
      }));
    } catch (error) {
      throw new AuthError(`the signed identity was refused: ${errorMessage(error)}`);
    }
    const email = verifyEmail(options.kind, payload);
    const principal = await principalOfEmail(options.sql, email);
    if (principal === undefined) {
      throw new AuthError(`${email} has no access to this console; an admin can grant it`);
    }
    return principal;
  };
}

/** The email a verified identity vouches for; see the module's comment for the rule. */
function verifyEmail(kind: JwtOptions['kind'], payload: JWTPayload): string {
  const { email } = payload;
  if (typeof email !== 'string' || email === '') {
    throw new AuthError('the signed identity carries no email');
  }
  const verified = payload.email_verified;
  if (verified !== true && (kind === 'oidc' || verified !== undefined)) {
    throw new AuthError('the signed identity’s email is not verified by its issuer');
  }
  return email;
}

/** Tries each authenticator in turn; the first that recognises the credentials decides. */
export function chainAuthenticators(...chain: readonly Authenticator[]): Authenticator {
  return async (headers) => {
    for (const authenticate of chain) {
      const principal = await authenticate(headers);
      if (principal !== undefined) return principal;
    }
    return undefined;
  };
}
