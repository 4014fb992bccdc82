/** Sign-in: paste a console API token; it is checked against `GET /me` before it is kept. */

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, createApi } from '../api.js';
import { describeError } from '../hooks.js';
import { saveToken, takeNotice } from '../session.js';
import { setPageTitle } from '../title.js';
import type { Principal } from '../types.js';

/** The sign-in page; `onSignedIn` receives the checked token and its principal. */
export function SignIn(props: {
  readonly onSignedIn: (token: string, principal: Principal) => void;
}) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice] = useState(takeNotice);
  const [error, setError] = useState<string | undefined>(undefined);
  const field = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setPageTitle('Sign in');
    field.current?.focus();
  }, []);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setError('Paste an API token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const principal = await createApi({ token: value, onUnauthorized: () => undefined }).me();
      saveToken(value);
      props.onSignedIn(value, principal);
    } catch (thrown) {
      setError(
        thrown instanceof ApiError && thrown.status === 401
          ? 'This token was not accepted. Check that it was copied whole and has not been revoked.'
          : `Could not reach the console: ${describeError(thrown).message}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form
        class="signin-card"
        onSubmit={(event) => {
          void submit(event);
        }}
      >
        <div class="signin-brand">
          <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
            <path d="M12 3 3 7v5c0 5 3.8 8.6 9 9.9 5.2-1.3 9-4.9 9-9.9V7z" class="brand-shield" />
            <circle cx="12" cy="11.5" r="3.2" class="brand-eye" />
          </svg>
          <div>
            <div class="signin-title">Vigie Console</div>
            <div class="signin-sub">Alert review for store security</div>
          </div>
        </div>
        {notice !== undefined && (
          <div class="notice warn" role="status" data-testid="signin-notice">
            {notice}
          </div>
        )}
        <label for="token" class="field-label">
          API token
        </label>
        <textarea
          id="token"
          ref={field}
          class="input mono"
          rows={3}
          spellcheck={false}
          autocomplete="off"
          placeholder="vga_…"
          value={token}
          onInput={(event) => {
            setToken(event.currentTarget.value);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
        {error !== undefined && (
          <div class="notice error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" class="button primary wide" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p class="hint">
          The token is kept in this tab only and forgotten when it closes. Running locally,{' '}
          <code>vigie up</code> prints an admin token.
        </p>
      </form>
    </main>
  );
}
