/**
 * A small History API router: the address is the state, so that a filtered inbox or an alert can
 * be bookmarked and shared.
 */

import { useEffect, useState } from 'preact/hooks';

/** The pages of the console. */
export type Route =
  | { readonly page: 'inbox' }
  | { readonly page: 'alert'; readonly id: string }
  | { readonly page: 'cameras' }
  | { readonly page: 'clients' }
  | { readonly page: 'client'; readonly name: string }
  | { readonly page: 'signin' }
  | { readonly page: 'missing' };

/** The page a path shows. */
export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'inbox' };
  if (first === 'alerts' && second !== undefined && parts.length === 2) {
    return { page: 'alert', id: second };
  }
  if (first === 'cameras' && parts.length === 1) return { page: 'cameras' };
  if (first === 'clients' && parts.length === 1) return { page: 'clients' };
  if (first === 'clients' && second !== undefined && parts.length === 2) {
    return { page: 'client', name: second };
  }
  if (first === 'signin' && parts.length === 1) return { page: 'signin' };
  return { page: 'missing' };
}

const CHANGE = 'vigie:navigate';

/** Goes to a path inside the console without reloading. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = location.pathname + location.search;
  if (to === current) return;
  if (options.replace === true) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): { readonly pathname: string; readonly search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [where, setWhere] = useState(read);
  useEffect(() => {
    const update = () => {
      setWhere(read());
    };
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return where;
}

/** Follows a link click inside the app, leaving modified clicks (new tab) to the browser. */
export function followLink(event: MouseEvent, to: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  navigate(to);
}
