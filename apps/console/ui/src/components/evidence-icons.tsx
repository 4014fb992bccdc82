/** Which evidence an alert carries, as two small icons. */

import type { EvidenceKind } from '../types.js';

/** Snapshot and clip icons, the missing one dimmed. */
export function EvidenceIcons(props: { readonly kinds: readonly EvidenceKind[] }) {
  const has = (kind: EvidenceKind) => props.kinds.includes(kind);
  return (
    <span class="evidence-icons">
      <svg
        viewBox="0 0 16 16"
        width="16"
        height="16"
        class={has('snapshot') ? 'on' : 'off'}
        role="img"
        aria-label={has('snapshot') ? 'Snapshot' : 'No snapshot'}
      >
        <title>{has('snapshot') ? 'Snapshot' : 'No snapshot'}</title>
        <rect x="1.5" y="3.5" width="13" height="10" rx="1.5" />
        <circle cx="8" cy="8.5" r="2.6" />
        <path d="M5 3.5 6 2h4l1 1.5" />
      </svg>
      <svg
        viewBox="0 0 16 16"
        width="16"
        height="16"
        class={has('clip') ? 'on' : 'off'}
        role="img"
        aria-label={has('clip') ? 'Clip' : 'No clip'}
      >
        <title>{has('clip') ? 'Clip' : 'No clip'}</title>
        <rect x="1.5" y="3.5" width="9.5" height="9" rx="1.5" />
        <path d="M11 7 14.5 5v6L11 9" />
      </svg>
    </span>
  );
}
