/** How times, scores and names read in the console. */

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const ABSOLUTE = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
});
const CLOCK = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** "3 min ago", "yesterday": how long ago an ISO time was, relative to `now`. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 45 * 60) return RELATIVE.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return RELATIVE.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return RELATIVE.format(Math.round(seconds / 86400), 'day');
  return ABSOLUTE.format(t);
}

/** The full local date and time of an ISO time, with its zone offset. */
export function absoluteTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const offset = -new Date(t).getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '−';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${ABSOLUTE.format(t)} (UTC${sign}${hh}:${mm})`;
}

/** A wall-clock time, "14:03:22". */
export function clockTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '—' : CLOCK.format(t);
}

/** A score to two decimals. */
export function score(value: number): string {
  return value.toFixed(2);
}

/** A duration in seconds, signed: "+1.4 s". */
export function offsetSeconds(seconds: number): string {
  const sign = seconds < 0 ? '−' : '+';
  return `${sign}${Math.abs(seconds).toFixed(1)} s`;
}

/** A rule's name for people: "exit-without-payment" → "Exit without payment". */
export function ruleLabel(rule: string): string {
  const words = rule.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
