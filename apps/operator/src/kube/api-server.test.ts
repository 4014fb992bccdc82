import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiServerEndpoints, sameEndpoints } from './api-server.js';
import type { CachedObject } from './informer.js';

const slice = (name: string, fields: Record<string, unknown>): CachedObject => ({
  metadata: {
    name,
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': 'kubernetes' },
  },
  ...fields,
});

describe('apiServerEndpoints', () => {
  it("lists every address and TCP port of the `kubernetes` EndpointSlices, whatever the endpoints' conditions", () => {
    const found = apiServerEndpoints([
      slice('kubernetes', {
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['10.128.0.3'], conditions: { ready: false } },
          { addresses: ['10.128.0.2'] },
        ],
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
      }),
      slice('kubernetes-v6', {
        addressType: 'IPv6',
        endpoints: [{ addresses: ['FD00:0::2'] }],
        // The protocol defaults to TCP.
        ports: [
          { name: 'https', port: 443 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
      }),
    ]);
    assert.deepEqual(found, [
      { address: '10.128.0.2', port: 6443 },
      { address: '10.128.0.3', port: 6443 },
      { address: 'fd00::2', port: 443 },
    ]);
  });

  it('skips FQDN slices and malformed entries, and repeats nothing', () => {
    const found = apiServerEndpoints([
      slice('fqdn', {
        addressType: 'FQDN',
        endpoints: [{ addresses: ['api.example'] }],
        ports: [{ port: 443 }],
      }),
      slice('odd', {
        addressType: 'IPv4',
        endpoints: [null, { addresses: 'x' }, { addresses: ['not-an-ip', 7, '10.0.0.1'] }],
        ports: [{ port: '443' }, { port: 443 }, null],
      }),
      slice('copy', {
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.0.0.1'] }],
        ports: [{ port: 443 }],
      }),
      slice('empty', { addressType: 'IPv4' }),
    ]);
    assert.deepEqual(found, [{ address: '10.0.0.1', port: 443 }]);
    assert.deepEqual(apiServerEndpoints([]), []);
  });

  it('compares lists', () => {
    const a = [{ address: '10.0.0.1', port: 443 }];
    assert.equal(sameEndpoints(a, [{ address: '10.0.0.1', port: 443 }]), true);
    assert.equal(sameEndpoints(a, [{ address: '10.0.0.1', port: 6443 }]), false);
    assert.equal(sameEndpoints(a, []), false);
  });
});
