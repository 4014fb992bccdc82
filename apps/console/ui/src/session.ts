/**
 * The session: the API token pasted at sign-in, kept in `sessionStorage` so that it lasts as long
 * as the tab and no longer.
 */

const KEY = 'vigie.token';
const NOTICE = 'vigie.signin-notice';

/** The session's token, if signed in. */
export function readToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

/** Keeps the token for this tab. */
export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

/** Forgets the token, with an optional sentence that the sign-in page shows. */
export function clearToken(notice?: string): void {
  sessionStorage.removeItem(KEY);
  if (notice === undefined) sessionStorage.removeItem(NOTICE);
  else sessionStorage.setItem(NOTICE, notice);
}

/** The sentence left by the last sign-out, read once. */
export function takeNotice(): string | undefined {
  const notice = sessionStorage.getItem(NOTICE) ?? undefined;
  sessionStorage.removeItem(NOTICE);
  return notice;
}
