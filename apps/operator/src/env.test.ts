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

  it('takes the networks detectors may reach, and the API server when it is given', () => {
    const defaults = readSettings({});
    assert.ok(!('error' in defaults));
    assert.deepEqual(defaults.settings.cameraNetworks, []);
    assert.deepEqual(defaults.settings.dnsAddresses, []);
    assert.equal(defaults.settings.apiServerEndpoints, undefined);
    const settings = readSettings({
      VIGIE_CAMERA_NETWORKS: '192.168.10.0/24, FD00:10::/64,',
      VIGIE_DNS_ADDRESSES: '169.254.20.10,10.96.0.10',
      VIGIE_API_SERVER_ENDPOINTS: '172.16.0.2:443, [fd00:0::2]:6443',
    });
    assert.ok(!('error' in settings));
    assert.deepEqual(settings.settings.cameraNetworks, ['192.168.10.0/24', 'fd00:10::/64']);
    assert.deepEqual(settings.settings.dnsAddresses, ['169.254.20.10', '10.96.0.10']);
    assert.deepEqual(settings.settings.apiServerEndpoints, [
      { address: '172.16.0.2', port: 443 },
      { address: 'fd00::2', port: 6443 },
    ]);
  });

  it('refuses bad values with a message naming the variable', () => {
    for (const [env, pattern] of [
      [{ VIGIE_WORKERS: 'many' }, /VIGIE_WORKERS="many" must be a whole number from 1 to 128/],
      [{ VIGIE_WORKERS: '0' }, /VIGIE_WORKERS/],
      [{ VIGIE_LEADER_ELECT: 'yes' }, /VIGIE_LEADER_ELECT="yes" must be true or false/],
      [{ VIGIE_LOG_LEVEL: 'loud' }, /VIGIE_LOG_LEVEL/],
      [{ VIGIE_CONSOLE_URL: 'ftp://x' }, /VIGIE_CONSOLE_URL/],
      [{ VIGIE_LEASE_DURATION_SECONDS: '5', VIGIE_RENEW_DEADLINE_SECONDS: '6' }, /renew deadline/],
      [{ VIGIE_CAMERA_NETWORKS: '10.0.0.1/8' }, /VIGIE_CAMERA_NETWORKS: .* 10\.0\.0\.0\/8/],
      [{ VIGIE_CAMERA_NETWORKS: 'store-vpn' }, /VIGIE_CAMERA_NETWORKS: "store-vpn" is not a CIDR/],
      [{ VIGIE_DNS_ADDRESSES: 'kube-dns' }, /VIGIE_DNS_ADDRESSES: "kube-dns" is not an IP/],
      [{ VIGIE_API_SERVER_ENDPOINTS: '172.16.0.2' }, /VIGIE_API_SERVER_ENDPOINTS: "172\.16\.0\.2"/],
      [{ VIGIE_API_SERVER_ENDPOINTS: ' , ' }, /VIGIE_API_SERVER_ENDPOINTS names no endpoint/],
    ] as const) {
      const result = readSettings(env);
      assert.ok('error' in result, JSON.stringify(env));
      assert.match(result.error, pattern);
    }
  });
});
