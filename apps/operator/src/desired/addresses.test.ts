import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp, hostCidr, parseCidr, parseHostPort, parseIp } from './addresses.js';

const canonical = (text: string) => {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
};

describe('addresses', () => {
  it('reads IPv4 and IPv6 addresses and writes them canonically', () => {
    assert.equal(canonical('10.0.0.1'), '10.0.0.1');
    assert.equal(canonical('FD00:0:0:0:0:0:0:1'), 'fd00::1');
    assert.equal(canonical('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonical('::'), '::');
    assert.equal(canonical('::1'), '::1');
    assert.equal(canonical('fe80::'), 'fe80::');
    assert.equal(canonical('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2:3:4:5:6');
    assert.equal(canonical('2001:db8:0:1:2:3:4:5'), '2001:db8:0:1:2:3:4:5');
    assert.equal(canonical('::ffff:10.0.0.1'), '::ffff:a00:1');
  });

  it('refuses what is not an address, and IPv4 with leading zeros', () => {
    for (const text of [
      '',
      '10.0.0',
      '10.0.0.256',
      '010.0.0.1',
      '0x0a.0.0.1',
      'cams.example',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      ':1',
      'fe80::1%eth0',
      '[::1]',
    ]) {
      assert.equal(parseIp(text), undefined, text);
    }
  });

  it('gives one address its /32 or /128', () => {
    assert.equal(hostCidr(parseIp('192.168.1.20')!), '192.168.1.20/32');
    assert.equal(hostCidr(parseIp('fd00::0:7')!), 'fd00::7/128');
  });

  it('reads CIDRs, and names the network when host bits are set', () => {
    assert.equal(parseCidr('192.168.10.0/24'), '192.168.10.0/24');
    assert.equal(parseCidr('FD00:10::/64'), 'fd00:10::/64');
    assert.equal(parseCidr('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(parseCidr('10.0.0.7/32'), '10.0.0.7/32');
    assert.throws(() => parseCidr('10.0.0.1/8'), /host bits set; the network is 10\.0\.0\.0\/8/);
    assert.throws(() => parseCidr('10.0.0.0/33'), /at most \/32/);
    assert.throws(() => parseCidr('10.0.0.0'), /is not a CIDR/);
    assert.throws(() => parseCidr('store-vpn/24'), /is not a CIDR/);
  });

  it('reads address:port, with brackets for IPv6', () => {
    assert.deepEqual(parseHostPort('10.0.0.2:443'), { ip: parseIp('10.0.0.2'), port: 443 });
    assert.deepEqual(parseHostPort('[fd00::2]:6443'), { ip: parseIp('fd00::2'), port: 6443 });
    for (const text of ['10.0.0.2', 'fd00::2:443', '[10.0.0.2]:443', '10.0.0.2:0', 'api:443']) {
      assert.throws(() => parseHostPort(text), /is not an address and port/, text);
    }
  });
});
