/** How people sign in to the console, and who may sign in first. */

import type { EnvReader } from './env-reader.js';

/** How people sign in. */
export type AuthMode =
  | { readonly kind: 'iap'; readonly audience: string }
  | {
      readonly kind: 'oidc';
      readonly issuer: string;
      readonly audience: string;
      readonly jwksUrl: string;
    };

function readOidc(read: EnvReader): AuthMode {
  return {
    kind: 'oidc',
    issuer: read.url(
      'VIGIE_OIDC_ISSUER',
      read.required('VIGIE_OIDC_ISSUER', 'the OIDC issuer URL'),
      ['https:'],
    ),
    audience: read.required('VIGIE_OIDC_AUDIENCE', "the console's OIDC client ID"),
    jwksUrl: read.url(
      'VIGIE_OIDC_JWKS_URL',
      read.required('VIGIE_OIDC_JWKS_URL', "the issuer's signing keys (JWKS) URL"),
      ['https:'],
    ),
  };
}

/**
 * `VIGIE_AUTH`: a comma list of `iap` (with `VIGIE_IAP_AUDIENCE`) and `oidc` (with
 * `VIGIE_OIDC_ISSUER`, `VIGIE_OIDC_AUDIENCE`, `VIGIE_OIDC_JWKS_URL`); none by default, since
 * console API tokens always work.
 */
export function readAuthModes(read: EnvReader): AuthMode[] {
  const modes = (read.text('VIGIE_AUTH') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  return modes.map((mode): AuthMode => {
    if (mode === 'iap') {
      return {
        kind: 'iap',
        audience: read.required('VIGIE_IAP_AUDIENCE', '/projects/NUMBER/global/backendServices/ID'),
      };
    }
    if (mode === 'oidc') return readOidc(read);
    throw new Error(`VIGIE_AUTH has "${mode}": use iap, oidc or both (comma-separated)`);
  });
}

/** `VIGIE_BOOTSTRAP_ADMIN`: an email granted admin at start, so that someone can sign in. */
export function readBootstrapAdmin(read: EnvReader): string | undefined {
  const email = read.text('VIGIE_BOOTSTRAP_ADMIN');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw new Error(`VIGIE_BOOTSTRAP_ADMIN="${email}" must be an email`);
  }
  return email;
}
