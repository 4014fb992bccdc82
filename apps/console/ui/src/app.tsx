/**
 * The app shell: the session (or the sign-in page), the live stream, the header and the page the
 * address names.
 */

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { createApi } from './api.js';
import { Link, PageHead } from './components/bits.js';
import { Header } from './components/header.js';
import type { Live, Session } from './context.js';
import { LiveContext, SessionContext } from './context.js';
import type { LiveState } from './live.js';
import { connectLive } from './live.js';
import { AlertPage } from './pages/alert.js';
import { Cameras } from './pages/cameras.js';
import { ClientPage, Clients } from './pages/clients.js';
import { Inbox } from './pages/inbox.js';
import { SignIn } from './pages/signin.js';
import type { Route } from './router.js';
import { navigate, parseRoute, useLocation } from './router.js';
import { clearToken, readToken } from './session.js';
import { setPageTitle, setUnseen } from './title.js';
import type { AlertSummary, Principal } from './types.js';

const EXPIRED = 'Your session has ended: the API refused the token. Sign in again.';

/** Where to go after signing in: a path inside the console, never another site. */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/';
}

/** The whole console. */
export function App() {
  const where = useLocation();
  const route = parseRoute(where.pathname);
  const [token, setToken] = useState(readToken);
  const [principal, setPrincipal] = useState<Principal | undefined>(undefined);

  const signOut = useCallback((notice?: string) => {
    const here = location.pathname + location.search;
    // Several requests can be refused at once; the first one has already signed out.
    if (here.startsWith('/signin')) return;
    clearToken(notice);
    setToken(undefined);
    setPrincipal(undefined);
    navigate(notice === undefined ? '/signin' : `/signin?next=${encodeURIComponent(here)}`, {
      replace: true,
    });
  }, []);

  const api = useMemo<Api | undefined>(
    () =>
      token === undefined
        ? undefined
        : createApi({
            token,
            onUnauthorized: () => {
              signOut(EXPIRED);
            },
          }),
    [token, signOut],
  );

  useEffect(() => {
    if (api === undefined) return;
    api.me().then(setPrincipal, () => {
      // A 401 signs out by itself; other failures leave the header without a name.
    });
  }, [api]);

  useEffect(() => {
    if (token === undefined && route.page !== 'signin') {
      const here = where.pathname + where.search;
      navigate(here === '/' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`, {
        replace: true,
      });
    }
  }, [token, route.page, where]);

  if (token === undefined || api === undefined || route.page === 'signin') {
    return (
      <SignIn
        onSignedIn={(value, who) => {
          setToken(value);
          setPrincipal(who);
          navigate(nextPath(where.search), { replace: true });
        }}
      />
    );
  }

  const session: Session = { api, principal, signOut };
  return (
    <SessionContext.Provider value={session}>
      <LiveProvider token={token} onUnauthorized={signOut}>
        <Header route={route} />
        <Page route={route} search={where.search} />
      </LiveProvider>
    </SessionContext.Provider>
  );
}

function Page(props: { readonly route: Route; readonly search: string }) {
  const { route } = props;
  switch (route.page) {
    case 'inbox':
      return <Inbox search={props.search} />;
    case 'alert':
      return <AlertPage key={route.id} id={route.id} />;
    case 'cameras':
      return <Cameras />;
    case 'clients':
      return <Clients />;
    case 'client':
      return <ClientPage name={route.name} />;
    case 'signin':
    case 'missing':
      return <Missing />;
  }
}

function Missing() {
  useEffect(() => {
    setPageTitle('Not found');
  }, []);
  return (
    <main class="page">
      <PageHead title="Page not found" sub="Nothing lives at this address." />
      <Link to="/" class="button small">
        Go to the alerts
      </Link>
    </main>
  );
}

/**
 * Holds the live stream for the session: one connection, shared by the header's indicator and
 * the inbox, and the count of arrivals the operator has not looked at yet (in the tab title).
 */
function LiveProvider(props: {
  readonly token: string;
  readonly onUnauthorized: (notice: string) => void;
  readonly children: ComponentChildren;
}) {
  const { token, onUnauthorized } = props;
  const [state, setState] = useState<LiveState>('connecting');
  const listeners = useRef(new Set<(alert: AlertSummary) => void>());
  const unseen = useRef(0);

  useEffect(
    () =>
      connectLive({
        token,
        onState: setState,
        onUnauthorized,
        onAlert: (alert) => {
          unseen.current += 1;
          setUnseen(unseen.current);
          for (const fn of listeners.current) fn(alert);
        },
      }),
    [token, onUnauthorized],
  );

  // Arrivals count as seen once the operator acts in the tab or comes back to it.
  useEffect(() => {
    const seen = () => {
      if (unseen.current === 0 || document.visibilityState !== 'visible') return;
      unseen.current = 0;
      setUnseen(0);
    };
    window.addEventListener('keydown', seen);
    window.addEventListener('pointerdown', seen);
    document.addEventListener('visibilitychange', seen);
    return () => {
      window.removeEventListener('keydown', seen);
      window.removeEventListener('pointerdown', seen);
      document.removeEventListener('visibilitychange', seen);
      setUnseen(0);
    };
  }, []);

  const live = useMemo<Live>(
    () => ({
      state,
      subscribe: (fn) => {
        listeners.current.add(fn);
        return () => {
          listeners.current.delete(fn);
        };
      },
    }),
    [state],
  );
  return <LiveContext.Provider value={live}>{props.children}</LiveContext.Provider>;
}
