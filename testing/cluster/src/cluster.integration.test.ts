/**
 * The real one-node cluster: `scripts/cluster-up.sh` starts a node whose pods run Vigie's own
 * images under the restricted profile, resolve cluster names and nothing else, and whose
 * NetworkPolicies are enforced (with a negative control); `scripts/cluster-down.sh` then leaves
 * the host exactly as it found it. Needs root, as the scripts do.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from './index.js';
import { CLUSTER, clusterUp } from './index.js';

/** What the cluster may change on the host, read before and after. */
function hostState(): Record<string, string> {
  const sh = (command: string) => {
    try {
      return execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    } catch (error) {
      return `failed: ${(error as Error).message}`;
    }
  };
  return {
    links: sh("ip -o link show | awk '{print $2}' | sort"),
    routes: sh('ip route show table all | sort'),
    iptables: sh("iptables-save | grep -v '^#' | sed 's/\\[[0-9:]*\\]//'"),
    ip6tables: sh("ip6tables-save | grep -v '^#' | sed 's/\\[[0-9:]*\\]//'"),
    ipsets: sh('ipset list -n | sort'),
    netns: sh('ip netns list | sort'),
    sysctls: sh(
      'sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables vm.overcommit_memory kernel.panic kernel.panic_on_oops',
    ),
    mounts: readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes('vigie-cluster') || l.includes('kubelet'))
      .join('\n'),
  };
}

describe('a real one-node cluster', { timeout: 30 * 60_000 }, () => {
  let cluster: Cluster;
  let before_: Record<string, string>;

  /** Runs `script` with Node in a pod of Vigie's console image; resolves to what it printed. */
  const runInPod = async (namespace: string, name: string, script: string) => {
    await cluster.kubectl([
      'run',
      name,
      '-n',
      namespace,
      '--image=localhost/vigie/console:dev',
      '--image-pull-policy=Never',
      '--restart=Never',
      '--command',
      '--',
      'node',
      '-e',
      script,
    ]);
    await cluster.kubectl([
      'wait',
      '-n',
      namespace,
      `pod/${name}`,
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=120s',
    ]);
    return (await cluster.kubectl(['logs', '-n', namespace, name])).trim();
  };

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'the one-node cluster needs root');
    before_ = hostState();
    cluster = await clusterUp();
  });
  after(async () => {
    await cluster.down();
    assert.deepEqual(hostState(), before_, 'the host is as it was');
  });

  it('has a Ready node running the real kubelet', async () => {
    const node = JSON.parse(await cluster.kubectl(['get', 'node', CLUSTER.node, '-o', 'json'])) as {
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
      };
    };
    assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.match(node.status.nodeInfo.kubeletVersion, /^v1\.\d+\.\d+$/);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
  });

  it("runs Vigie's own image as its unprivileged user, with Node.js 24", async () => {
    await cluster.kubectl(['create', 'namespace', 'image-check']);
    await cluster.kubectl([
      'label',
      'namespace',
      'image-check',
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    const printed = await cluster.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'who', namespace: 'image-check' },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'who',
              image: 'localhost/vigie/console:dev',
              imagePullPolicy: 'Never',
              command: ['node', '-e', 'console.log(process.getuid(), process.versions.node)'],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      }),
    );
    assert.match(printed, /pod\/who created/);
    await cluster.kubectl([
      'wait',
      '-n',
      'image-check',
      'pod/who',
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=120s',
    ]);
    const [uid, version] = (await cluster.kubectl(['logs', '-n', 'image-check', 'who']))
      .trim()
      .split(' ');
    assert.equal(uid, '65532');
    assert.match(version ?? '', /^24\./);
  });

  it('resolves cluster names through CoreDNS, and no name outside the cluster', async () => {
    const printed = await runInPod(
      'default',
      'dns',
      `const d = require('dns').promises;
       Promise.allSettled([d.lookup('kubernetes.default.svc.cluster.local'), d.lookup('example.com')])
         .then((r) => console.log(JSON.stringify(r.map((x) => x.value?.address ?? x.reason.code))));`,
    );
    const [kubernetes, outside] = JSON.parse(printed) as string[];
    assert.equal(kubernetes, '10.96.0.1');
    assert.doesNotMatch(outside ?? '', /^\d/, 'no outside name resolves');
  });

  it('enforces a NetworkPolicy, and the same connection passes without it', async () => {
    await cluster.kubectl(['create', 'namespace', 'np-server']);
    await cluster.kubectl(['create', 'namespace', 'np-client']);
    await cluster.kubectl([
      'run',
      'server',
      '-n',
      'np-server',
      '--image=localhost/vigie/console:dev',
      '--image-pull-policy=Never',
      '--command',
      '--',
      'node',
      '-e',
      "require('http').createServer((q, r) => r.end('ok')).listen(8080)",
    ]);
    await cluster.kubectl([
      'wait',
      '-n',
      'np-server',
      'pod/server',
      '--for=condition=Ready',
      '--timeout=120s',
    ]);
    const ip = await cluster.kubectl([
      'get',
      'pod',
      'server',
      '-n',
      'np-server',
      '-o',
      'jsonpath={.status.podIP}',
    ]);
    const attempt = (name: string) =>
      runInPod(
        'np-client',
        name,
        `fetch('http://${ip}:8080/', { signal: AbortSignal.timeout(3000) })
           .then((r) => r.text()).then((t) => console.log('reached ' + t))
           .catch(() => console.log('refused'));`,
      );
    assert.equal(await attempt('without-policy'), 'reached ok');
    await cluster.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace: 'np-server' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      }),
    );
    // kube-router applies a new policy within a second or two.
    let outcome = '';
    for (let i = 0; i < 5 && outcome !== 'refused'; i++) {
      outcome = await attempt(`with-policy-${String(i)}`);
    }
    assert.equal(outcome, 'refused');
  });

  it('keeps the cluster networks on the machine', () => {
    // In the mangle table, before any ACCEPT that kube-proxy or kube-router put in filter.
    const forward = execFileSync('iptables', ['-t', 'mangle', '-S', 'FORWARD'], {
      encoding: 'utf8',
    }).split('\n');
    assert.equal(forward[1], '-A FORWARD -j VIGIE-ISOLATE', 'isolation is checked first');
    const isolate = execFileSync('iptables', ['-t', 'mangle', '-S', 'VIGIE-ISOLATE'], {
      encoding: 'utf8',
    });
    assert.match(isolate, new RegExp(`-i ${CLUSTER.bridge} ! -o ${CLUSTER.bridge} -j DROP`));
    assert.match(isolate, new RegExp(`! -i ${CLUSTER.bridge} -o ${CLUSTER.bridge} -j DROP`));
    const routes = execFileSync('ip', ['route', 'show', 'type', 'blackhole'], { encoding: 'utf8' });
    assert.match(routes, new RegExp(`blackhole ${CLUSTER.podRange.replace('.', '\\.')}`));
    assert.match(routes, new RegExp(`blackhole ${CLUSTER.serviceRange.replace('.', '\\.')}`));
    const nat = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' });
    // The bridge masquerades nothing (no CNI chain); the one MASQUERADE is kube-proxy's, for
    // Service traffic it marked, which the isolation above keeps on the bridge anyway.
    assert.doesNotMatch(nat, /^:CNI-/m, 'the bridge plugin masquerades nothing');
    const masquerades = nat.split('\n').filter((l) => l.includes('MASQUERADE'));
    assert.ok(
      masquerades.every((l) => l.startsWith('-A KUBE-POSTROUTING ')),
      masquerades.join('\n'),
    );
  });
});
