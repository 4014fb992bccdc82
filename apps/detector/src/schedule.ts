/**
 * Whether detection is active at a moment, by the client's schedule in the store's timezone:
 * opening windows (a window that closes before it opens runs overnight) and closed dates.
 */

import type { DetectorConfig } from '@vigie/plan';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface Local {
  readonly date: string;
  readonly day: (typeof DAYS)[number];
  readonly minutes: number;
}

function local(at: Date, timezone: string): Local {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const day = (parts.weekday ?? 'Sun').toLowerCase().slice(0, 3) as Local['day'];
  return {
    date: `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}`,
    day,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether detection runs at `at`. With no windows it always runs, except on closed dates. */
export function scheduleActive(
  schedule: DetectorConfig['schedule'],
  timezone: string,
  at: Date,
): boolean {
  const now = local(at, timezone);
  if (schedule.closures.some((c) => c.date === now.date)) return false;
  if (schedule.windows.length === 0) return true;
  const yesterday = DAYS[(DAYS.indexOf(now.day) + 6) % 7] ?? 'sun';
  return schedule.windows.some((w) => {
    const open = minutesOf(w.open);
    const close = minutesOf(w.close);
    if (close > open) return w.days.includes(now.day) && now.minutes >= open && now.minutes < close;
    // Overnight: the evening part belongs to the window's day, the early hours to the next.
    return (
      (w.days.includes(now.day) && now.minutes >= open) ||
      (w.days.includes(yesterday) && now.minutes < close)
    );
  });
}
