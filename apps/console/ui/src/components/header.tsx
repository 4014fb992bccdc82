/** The console's header: where you are, who you are, and whether alerts are arriving live. */

import { useLive, useSession } from '../context.js';
import type { LiveState } from '../live.js';
import type { Route } from '../router.js';
import { Link } from './bits.js';

const LIVE: Record<LiveState, { label: string; title: string }> = {
  connecting: { label: 'Connecting', title: 'Opening the live alert stream' },
  live: { label: 'Live', title: 'New alerts appear as they arrive' },
  offline: {
    label: 'Reconnecting',
    title: 'The live alert stream is interrupted; retrying with backoff',
  },
};

function section(route: Route): 'alerts' | 'cameras' | 'clients' | undefined {
  switch (route.page) {
    case 'inbox':
    case 'alert':
      return 'alerts';
    case 'cameras':
      return 'cameras';
    case 'clients':
    case 'client':
      return 'clients';
    case 'signin':
    case 'missing':
      return undefined;
  }
}

/** The header bar. */
export function Header(props: { readonly route: Route }) {
  const { principal, signOut } = useSession();
  const live = useLive();
  const current = section(props.route);
  const nav = [
    ['alerts', '/', 'Alerts'],
    ['cameras', '/cameras', 'Cameras'],
    ['clients', '/clients', 'Clients'],
  ] as const;
  return (
    <header class="topbar">
      <Link to="/" class="brand" title="Vigie — alert inbox">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path d="M12 3 3 7v5c0 5 3.8 8.6 9 9.9 5.2-1.3 9-4.9 9-9.9V7z" class="brand-shield" />
          <circle cx="12" cy="11.5" r="3.2" class="brand-eye" />
        </svg>
        <span>Vigie</span>
        <span class="brand-sub">Console</span>
      </Link>
      <nav class="nav" aria-label="Sections">
        {nav.map(([key, to, label]) => (
          <Link key={key} to={to} class={current === key ? 'nav-item active' : 'nav-item'}>
            {label}
          </Link>
        ))}
      </nav>
      <div class="topbar-right">
        <span
          class={`live live-${live.state}`}
          title={LIVE[live.state].title}
          data-live={live.state}
        >
          <span class="dot" aria-hidden="true" />
          {LIVE[live.state].label}
        </span>
        {principal && (
          <span
            class="principal"
            title={principal.clients === '*' ? 'All clients' : principal.clients.join(', ')}
          >
            <span class="principal-subject">{principal.subject}</span>
            <span class="principal-role">{principal.role}</span>
          </span>
        )}
        <button
          type="button"
          class="button ghost small"
          onClick={() => {
            signOut();
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}
