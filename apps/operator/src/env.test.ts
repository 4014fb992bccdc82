import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from './env.js';

describe('readSettings', () => {
  it('has defaults for everything', () => {
    const settings = readSettings({});
    assert.ok(!('error' in settings));
    assert.equal(settings.workers, 8);
    assert.equal(settings.metricsAddress, ':8080');
    assert.equal(settings.probeAddress, ':8081');
    assert.deepEqual(settings.leaderElection, {
      namespace: 'vigie-system',
      name: 'vigie-operator',
      timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
  });

  it('takes the images and identity from the Deployment', () => {
    const settings = readSettings({
      VIGIE_DETECTOR_IMAGE: 'registry.example/detector@sha256:abc',
      POD_NAME: 'vigie-operator-7d9-x',
      POD_NAMESPACE: 'ops',
      VIGIE_LEADER_ELECT: 'false',
    });
    assert.ok(!('error' in settings));
    assert.equal(settings.settings.detectorImage, 'registry.example/detector@sha256:abc');
    assert.equal(settings.identity, 'vigie-operator-7d9-x');
    assert.equal(settings.leaderElection, false);
  });

  it('refuses bad values with a message naming the variable', () => {
    for (const [env, pattern] of [
      [{ VIGIE_WORKERS: 'many' }, /VIGIE_WORKERS="many" must be a whole number from 1 to 128/],
      [{ VIGIE_WORKERS: '0' }, /VIGIE_WORKERS/],
      [{ VIGIE_LEADER_ELECT: 'yes' }, /VIGIE_LEADER_ELECT="yes" must be true or false/],
      [{ VIGIE_LOG_LEVEL: 'loud' }, /VIGIE_LOG_LEVEL/],
      [{ VIGIE_CONSOLE_URL: 'ftp://x' }, /VIGIE_CONSOLE_URL/],
      [{ VIGIE_LEASE_DURATION_SECONDS: '5', VIGIE_RENEW_DEADLINE_SECONDS: '6' }, /renew deadline/],
    ] as const) {
      const result = readSettings(env);
      assert.ok('error' in result, JSON.stringify(env));
      assert.match(result.error, pattern);
    }
  });
});
