import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scheduleActive } from './schedule.js';

const schedule = {
  windows: [
    {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[],
      open: '08:30',
      close: '20:00',
    },
    { days: ['sat'] as 'sat'[], open: '22:00', close: '02:00' },
  ],
  closures: [{ date: '2026-12-25', reason: 'Christmas' }],
};

describe('schedule', () => {
  it('follows the windows in the store timezone, overnight windows included', () => {
    // 2026-11-26 is a Thursday; Paris is UTC+1 in November.
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-11-26T07:29:00Z')), false);
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-11-26T07:30:00Z')), true);
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-11-26T19:00:00Z')), false);
    // Saturday 23:00 and Sunday 01:00 in Paris belong to Saturday's overnight window.
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-11-28T22:00:00Z')), true);
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-11-29T00:00:00Z')), true);
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-11-29T01:30:00Z')), false);
  });

  it('is off on closed dates, and always on without windows', () => {
    assert.equal(scheduleActive(schedule, 'Europe/Paris', new Date('2026-12-25T10:00:00Z')), false);
    assert.equal(
      scheduleActive(
        { windows: [], closures: [] },
        'America/New_York',
        new Date('2026-11-26T03:00:00Z'),
      ),
      true,
    );
  });
});
