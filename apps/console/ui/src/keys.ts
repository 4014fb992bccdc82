/** Keyboard shortcuts: single keys, ignored while typing, as a security operator expects. */

import { useEffect, useRef } from 'preact/hooks';

/** Handlers by `KeyboardEvent.key`. */
export type Shortcuts = Readonly<Record<string, (event: KeyboardEvent) => void>>;

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/**
 * Calls the handler of each key pressed outside text fields. Escape is the exception: in a field
 * it leaves the field, so that shortcuts work again.
 */
export function useShortcuts(shortcuts: Shortcuts): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event.target)) {
        if (event.key === 'Escape' && event.target instanceof HTMLElement) event.target.blur();
        return;
      }
      // Enter and Space on a focused button or link do what the button or link says.
      if (
        (event.key === 'Enter' || event.key === ' ') &&
        (event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement)
      ) {
        return;
      }
      const handler = current.current[event.key];
      if (handler) {
        event.preventDefault();
        handler(event);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, []);
}
