/**
 * Vigie's alert rules, checked by Debian's promtool: the rule file is valid, its unit tests pass
 * (each alert fires on trouble after its `for`, and stays quiet otherwise), and the objects
 * shipped for Google Managed Prometheus and prometheus-operator carry exactly those groups.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@vigie/testenv';
import { parse, parseAllDocuments } from 'yaml';

const dir = join(repoRoot(), 'deploy/monitoring');

function promtool(...args: string[]): string {
  const run = spawnSync('promtool', args, { cwd: join(dir, 'rules'), encoding: 'utf8' });
  if (run.error) {
    throw new Error(
      'promtool is needed: install the Debian package "prometheus" (scripts/ensure-debian-packages.sh)',
    );
  }
  assert.equal(run.status, 0, `promtool ${args.join(' ')}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

describe('alert rules', () => {
  it('are valid Prometheus rules', () => {
    assert.match(promtool('check', 'rules', 'vigie.rules.yaml'), /SUCCESS: 8 rules found/);
  });

  it('fire when they should, and only then (promtool test rules)', () => {
    assert.match(promtool('test', 'rules', 'vigie.rules.test.yaml'), /SUCCESS/);
  });

  it('cover what the product promises to watch', () => {
    const source = parse(readFileSync(join(dir, 'rules/vigie.rules.yaml'), 'utf8')) as {
      groups: { rules: { alert: string }[] }[];
    };
    const alerts = source.groups.flatMap((g) => g.rules.map((r) => r.alert));
    assert.deepEqual(alerts.sort(), [
      'VigieAlertOutboxBackingUp',
      'VigieCameraDown',
      'VigieClientNotReady',
      'VigieConfigRejected',
      'VigieConsoleErrors',
      'VigieConsoleSlow',
      'VigieDetectorNotAnalysing',
      'VigieOperatorReconcileErrors',
    ]);
  });

  it('ship the same groups to Managed Prometheus and to prometheus-operator', () => {
    const source = parse(readFileSync(join(dir, 'rules/vigie.rules.yaml'), 'utf8')) as {
      groups: unknown;
    };
    for (const [file, kind] of [
      ['gmp/rules.yaml', 'ClusterRules'],
      ['prometheus-operator/prometheusrule.yaml', 'PrometheusRule'],
    ] as const) {
      const [doc] = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
      const object = doc?.toJS() as { kind: string; spec: { groups: unknown } };
      assert.equal(object.kind, kind);
      assert.deepEqual(object.spec.groups, source.groups, file);
    }
  });
});
