import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alerts } from '@vigie/config';
import { cooldownWindow, planNotifications, targetsOf, type NotifiedAlert } from './plan.js';

const settings: Alerts = {
  cooldownSeconds: 120,
  webhooks: [{ url: 'https://hooks.store.example/vigie', secretRef: 'hook-key' }],
  emails: [{ address: 'guard@store.example' }],
};

const alert = (id: string, detectedAt: string) => ({
  id,
  client: 'demo-store',
  camera: 'cam-aisle',
  detectedAt,
});

const notified = (alertId: string, detectedAt: string): NotifiedAlert[] => [
  { alertId, kind: 'webhook', target: 'https://hooks.store.example/vigie', detectedAt },
  { alertId, kind: 'email', target: 'guard@store.example', detectedAt },
];

describe('planNotifications', () => {
  it('sends the first alert of a camera to every target', () => {
    const verdicts = planNotifications({
      alert: alert('a1', '2026-11-26T10:00:00.000Z'),
      settings,
      recent: [],
    });
    assert.deepEqual(
      verdicts.map((v) => [v.action, v.target.kind]),
      [
        ['send', 'webhook'],
        ['send', 'email'],
      ],
    );
  });

  it('groups an alert within the cooldown into the alert already notified', () => {
    const verdicts = planNotifications({
      alert: alert('a2', '2026-11-26T10:01:59.000Z'),
      settings,
      recent: notified('a1', '2026-11-26T10:00:00.000Z'),
    });
    assert.deepEqual(
      verdicts.map((v) => (v.action === 'group' ? v.into : v.action)),
      ['a1', 'a1'],
    );
  });

  it('sends again once the cooldown since the notified alert has passed', () => {
    const verdicts = planNotifications({
      alert: alert('a3', '2026-11-26T10:02:00.000Z'),
      settings,
      recent: notified('a1', '2026-11-26T10:00:00.000Z'),
    });
    assert.deepEqual(
      verdicts.map((v) => v.action),
      ['send', 'send'],
    );
  });

  it('groups an alert that arrives late into the notified alert that followed it', () => {
    const verdicts = planNotifications({
      alert: alert('early', '2026-11-26T09:59:30.000Z'),
      settings,
      recent: notified('a1', '2026-11-26T10:00:00.000Z'),
    });
    assert.deepEqual(
      verdicts.map((v) => (v.action === 'group' ? v.into : v.action)),
      ['a1', 'a1'],
    );
  });

  it('prefers the latest notified alert before this one', () => {
    const [verdict] = planNotifications({
      alert: alert('a4', '2026-11-26T10:03:00.000Z'),
      settings: { ...settings, emails: [] },
      recent: [
        ...notified('a1', '2026-11-26T10:01:30.000Z'),
        ...notified('a3', '2026-11-26T10:02:00.000Z'),
      ],
    });
    assert.deepEqual(verdict, { action: 'group', target: targetsOf(settings)[0], into: 'a3' });
  });

  it('decides per target: a target added since the incident began hears about it', () => {
    const verdicts = planNotifications({
      alert: alert('a2', '2026-11-26T10:00:30.000Z'),
      settings,
      recent: notified('a1', '2026-11-26T10:00:00.000Z').filter((n) => n.kind === 'webhook'),
    });
    assert.deepEqual(
      verdicts.map((v) => v.action),
      ['group', 'send'],
    );
  });

  it('never groups an alert into itself, so planning again is harmless', () => {
    const verdicts = planNotifications({
      alert: alert('a1', '2026-11-26T10:00:00.000Z'),
      settings,
      recent: notified('a1', '2026-11-26T10:00:00.000Z'),
    });
    assert.deepEqual(
      verdicts.map((v) => v.action),
      ['send', 'send'],
    );
  });

  it('groups nothing with a cooldown of zero', () => {
    const verdicts = planNotifications({
      alert: alert('a2', '2026-11-26T10:00:00.000Z'),
      settings: { ...settings, cooldownSeconds: 0 },
      recent: notified('a1', '2026-11-26T10:00:00.000Z'),
    });
    assert.deepEqual(
      verdicts.map((v) => v.action),
      ['send', 'send'],
    );
  });

  it('lists a target written twice once', () => {
    const targets = targetsOf({
      ...settings,
      emails: [{ address: 'guard@store.example' }, { address: 'guard@store.example' }],
    });
    assert.equal(targets.length, 2);
  });

  it('looks for notified alerts on both sides of the alert, one cooldown wide', () => {
    const window = cooldownWindow(alert('a', '2026-11-26T10:00:00.000Z'), settings);
    assert.equal(window.from.toISOString(), '2026-11-26T09:58:00.000Z');
    assert.equal(window.to.toISOString(), '2026-11-26T10:02:00.000Z');
  });
});
