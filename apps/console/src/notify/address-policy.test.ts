import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyAddress,
  NO_ALLOWANCE,
  parseWebhookAllowance,
  verifyAddresses,
  verifyHost,
  type WebhookAllowance,
} from './address-policy.js';

function allowance(text: string): WebhookAllowance {
  const parsed = parseWebhookAllowance(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

describe('classifyAddress', () => {
  it('refuses every kind of internal address, IPv4 and IPv6', () => {
    const cases: [string, string, string?][] = [
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'reserved'],
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.20', 'private'],
      ['100.64.0.1', 'shared'],
      ['100.127.255.254', 'shared'],
      ['169.254.169.254', 'link-local'],
      ['192.0.0.170', 'reserved'],
      ['192.0.2.1', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['198.51.100.7', 'reserved'],
      ['203.0.113.9', 'reserved'],
      ['224.0.0.251', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'broadcast'],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['fd00:ec2::254', 'private'],
      ['fc00::1', 'private'],
      ['fec0::1', 'private'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
      ['100::1', 'reserved'],
      ['64:ff9b:1::a00:1', 'private'],
      ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
      ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
      ['::FFFF:A9FE:A9FE', 'link-local', '169.254.169.254'],
      ['::ffff:10.1.2.3', 'private', '10.1.2.3'],
      ['::127.0.0.1', 'loopback', '127.0.0.1'],
      ['::7f00:1', 'loopback', '127.0.0.1'],
      ['::ffff:0:a9fe:a9fe', 'link-local', '169.254.169.254'],
      ['64:ff9b::7f00:1', 'loopback', '127.0.0.1'],
      ['64:ff9b::169.254.169.254', 'link-local', '169.254.169.254'],
      ['64:ff9b::c0a8:101', 'private', '192.168.1.1'],
      ['2002:7f00:1::1', 'loopback', '127.0.0.1'],
      ['2002:a00:1::', 'private', '10.0.0.1'],
      // Teredo keeps the client's address inverted: 127.0.0.1 is 80ff:fffe.
      ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback', '127.0.0.1'],
      ['::8.8.8.8', 'reserved'],
    ];
    for (const [address, kind, embedded] of cases) {
      assert.deepEqual(
        classifyAddress(address),
        embedded === undefined
          ? { forbidden: true, class: kind }
          : { forbidden: true, class: kind, embedded },
        address,
      );
    }
  });

  it('lets public addresses through, including NAT64 and 6to4 forms of them', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '169.255.0.1',
      '192.169.0.1',
      '223.255.255.255',
      '2606:4700:4700::1111',
      '2a00:1450:4007:80e::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
      '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
    ]) {
      assert.deepEqual(classifyAddress(address), { forbidden: false }, address);
    }
  });

  it('refuses what is not an address', () => {
    for (const text of [
      '',
      'localhost',
      '1.2.3',
      '01.2.3.4',
      '256.1.1.1',
      '1::2::3',
      '::g',
      'a:b:c:d:e:f:0:1:2',
    ]) {
      assert.deepEqual(classifyAddress(text), { forbidden: true, class: 'reserved' }, text);
    }
  });
});

describe('verifyHost', () => {
  const how = 'an admin can allow it with VIGIE_WEBHOOK_ALLOW (vigie up: --webhook-allow)';

  it('judges an address at once, a name by its form, and resolves the rest', () => {
    assert.deepEqual(verifyHost('hooks.store.example', NO_ALLOWANCE), { verdict: 'resolve' });
    assert.deepEqual(verifyHost('8.8.8.8', NO_ALLOWANCE), { verdict: 'connect' });
    assert.deepEqual(verifyHost('[2606:4700::1111]', NO_ALLOWANCE), { verdict: 'connect' });
    assert.deepEqual(verifyHost('127.0.0.1', NO_ALLOWANCE), {
      verdict: 'refuse',
      reason: `127.0.0.1 is a loopback address; ${how}`,
    });
    assert.deepEqual(verifyHost('[::ffff:7f00:1]', NO_ALLOWANCE), {
      verdict: 'refuse',
      reason: `::ffff:7f00:1 carries 127.0.0.1, a loopback address; ${how}`,
    });
    assert.deepEqual(verifyHost('vigie-console.vigie-system.svc.cluster.local', NO_ALLOWANCE), {
      verdict: 'refuse',
      reason: `vigie-console.vigie-system.svc.cluster.local is a name of the cluster's; ${how}`,
    });
    for (const name of [
      'kubernetes.default.svc',
      'KUBERNETES.DEFAULT.SVC.',
      'cluster.local',
      'x.cluster.local',
      'localhost',
      'LocalHost.',
      'app.localhost',
      'metadata',
      'vigie-console',
    ]) {
      assert.equal(verifyHost(name, NO_ALLOWANCE).verdict, 'refuse', name);
    }
  });

  it('opens exactly the ranges and names an admin allows', () => {
    const allow = allowance('10.20.0.0/16, fd00::/8 hooks.ops.svc.cluster.local');
    assert.deepEqual(verifyHost('10.20.3.4', allow), { verdict: 'connect' });
    assert.equal(verifyHost('10.21.0.1', allow).verdict, 'refuse');
    assert.deepEqual(verifyHost('[::ffff:10.20.3.4]', allow), { verdict: 'connect' });
    assert.deepEqual(verifyHost('[fd12::1]', allow), { verdict: 'connect' });
    assert.equal(verifyHost('[fc00::1]', allow).verdict, 'refuse');
    assert.deepEqual(verifyHost('hooks.ops.svc.cluster.local.', allow), { verdict: 'connect' });
    assert.equal(verifyHost('other.ops.svc.cluster.local', allow).verdict, 'refuse');
    assert.equal(verifyHost('127.0.0.1', allow).verdict, 'refuse');
  });
});

describe('verifyAddresses', () => {
  it('refuses a name when any address it resolves to is internal', () => {
    assert.deepEqual(verifyAddresses('hooks.example', ['8.8.8.8', '2606:4700::1'], NO_ALLOWANCE), {
      verdict: 'connect',
    });
    assert.deepEqual(verifyAddresses('hooks.example', ['8.8.8.8', '10.0.0.7'], NO_ALLOWANCE), {
      verdict: 'refuse',
      reason:
        'hooks.example resolves to 10.0.0.7: 10.0.0.7 is a private address; an admin can allow it with VIGIE_WEBHOOK_ALLOW (vigie up: --webhook-allow)',
    });
    assert.equal(verifyAddresses('hooks.example', [], NO_ALLOWANCE).verdict, 'refuse');
    assert.equal(verifyAddresses('hooks.example', ['not-an-ip'], NO_ALLOWANCE).verdict, 'refuse');
  });

  it('lets an allowed IPv4 range cover the IPv6 forms that carry it', () => {
    const allow = allowance('10.0.0.0/8');
    for (const address of ['10.1.2.3', '::ffff:10.1.2.3', '64:ff9b::a01:203']) {
      assert.deepEqual(verifyAddresses('hooks.lan', [address], allow), { verdict: 'connect' });
    }
    assert.equal(verifyAddresses('hooks.lan', ['64:ff9b::c0a8:101'], allow).verdict, 'refuse');
  });
});

describe('parseWebhookAllowance', () => {
  it('reads ranges, single addresses and host names', () => {
    const parsed = parseWebhookAllowance(
      ' 10.20.0.5/16,192.168.1.9 ::1, fd00::/8,::ffff:127.0.0.0/104, Hooks.LAN. ',
    );
    assert.ok(!('error' in parsed));
    assert.deepEqual(
      parsed.ranges.map((r) => [r.version, [...r.bytes].join('.'), r.prefix]),
      [
        [4, '10.20.0.0', 16],
        [4, '192.168.1.9', 32],
        [6, '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1', 128],
        [6, '253.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0', 8],
        [4, '127.0.0.0', 8],
      ],
    );
    assert.deepEqual(parsed.hosts, ['hooks.lan']);
    assert.deepEqual(parseWebhookAllowance(''), { ranges: [], hosts: [] });
  });

  it('names the entry it cannot read', () => {
    const cases: [string, RegExp][] = [
      ['10.0.0.0/33', /VIGIE_WEBHOOK_ALLOW has "10\.0\.0\.0\/33": write an address range/],
      ['10.0.0/8', /has "10\.0\.0\/8"/],
      ['fd00::/129', /has "fd00::\/129"/],
      ['10.0.0.0/8/1', /has "10\.0\.0\.0\/8\/1"/],
      ['*.svc.cluster.local', /has "\*\.svc\.cluster\.local": write exact host names/],
      ['hooks_internal', /has "hooks_internal"/],
    ];
    for (const [text, message] of cases) {
      const parsed = parseWebhookAllowance(text);
      assert.ok('error' in parsed, text);
      assert.match(parsed.error, message);
    }
    const named = parseWebhookAllowance('nope/1', '--webhook-allow');
    assert.ok('error' in named);
    assert.match(named.error, /^--webhook-allow has "nope\/1"/);
  });
});
