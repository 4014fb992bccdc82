/** What every page can reach: the session's API and principal, and the live stream. */

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.js';
import type { LiveState } from './live.js';
import type { AlertSummary, Principal } from './types.js';

/** The signed-in session. */
export interface Session {
  readonly api: Api;
  readonly principal: Principal | undefined;
  readonly signOut: (notice?: string) => void;
}

/** The live stream of new alerts, shared by the header and the inbox. */
export interface Live {
  readonly state: LiveState;
  /** Calls `fn` for each alert as it arrives; returns the unsubscriber. */
  readonly subscribe: (fn: (alert: AlertSummary) => void) => () => void;
}

/** The session, provided by the app shell once signed in. */
export const SessionContext = createContext<Session | undefined>(undefined);

/** The live stream, provided by the app shell once signed in. */
export const LiveContext = createContext<Live>({
  state: 'connecting',
  subscribe: () => () => undefined,
});

/** The session; pages are only rendered inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in session');
  return session;
}

/** The live stream. */
export function useLive(): Live {
  return useContext(LiveContext);
}
