/**
 * Grafana as each overlay installs it shows Vigie's four dashboards on its data source: the
 * overlay is built with kustomize (kubectl's), and its Deployment's mounts, provisioning files and
 * data sources are read the way Grafana reads them (grafana-provisioning.ts). Grafana itself
 * cannot be pulled or built here, so this is what is checked of it, with the server-side dry-run
 * of manifests.integration.test.ts. Each check has a negative control: the same overlay, drifted.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, toolsBinDir } from '@vigie/testenv';
import { parseAllDocuments } from 'yaml';
import type { ManifestObject } from './grafana-provisioning.js';
import { verifyGrafanaProvisioning } from './grafana-provisioning.js';

const root = repoRoot();
const GRAFANA = { deployment: 'vigie-grafana', namespace: 'vigie-system', container: 'grafana' };

const built = new Map<string, readonly ManifestObject[]>();

/** The overlay's objects, built once; drifted copies are made by `drifted`. */
function build(overlay: string): readonly ManifestObject[] {
  const cached = built.get(overlay);
  if (cached) return cached;
  const objects = kustomize(overlay);
  built.set(overlay, objects);
  return objects;
}

function kustomize(overlay: string): ManifestObject[] {
  const yaml = execFileSync(
    join(toolsBinDir(process.env), 'kubectl'),
    ['kustomize', join(root, 'deploy/overlays', overlay)],
    { encoding: 'utf8' },
  );
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null);
}

const dashboardsDir = join(root, 'deploy/monitoring/grafana/dashboards');
const dashboards: ReadonlyMap<string, string> = new Map(
  readdirSync(dashboardsDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, readFileSync(join(dashboardsDir, name), 'utf8')]),
);

/** The overlay with `change` applied to a copy of the object of that kind and name. */
function drifted(
  objects: readonly ManifestObject[],
  kind: string,
  name: string,
  change: (object: Record<string, unknown>) => void,
): ManifestObject[] {
  let found = false;
  const copy = objects.map((o) => {
    if (o.kind !== kind || o.metadata?.name !== name) return o;
    found = true;
    const changed = structuredClone(o) as Record<string, unknown>;
    change(changed);
    return changed;
  });
  assert.ok(found, `no ${kind} ${name} to drift`);
  return copy;
}

interface GrafanaPodSpec {
  volumes: { name: string; projected?: { sources: { configMap?: { name: string } }[] } }[];
  containers: { volumeMounts: { name: string; mountPath: string }[] }[];
}
const podSpec = (deployment: Record<string, unknown>) =>
  (deployment.spec as { template: { spec: GrafanaPodSpec } }).template.spec;

describe("Grafana's provisioning in each overlay", () => {
  it('checks all four dashboards', () => {
    assert.deepEqual([...dashboards.keys()].sort(), [
      'vigie-client.json',
      'vigie-console.json',
      'vigie-fleet.json',
      'vigie-operator.json',
    ]);
  });

  for (const overlay of ['dev', 'gke']) {
    it(`${overlay}: the provider's folder holds exactly the four dashboards, and every panel lands on the provisioned Prometheus`, () => {
      assert.deepEqual(verifyGrafanaProvisioning(build(overlay), dashboards, GRAFANA), []);
    });
  }

  it('finds a dashboard whose data source uid drifted from the provisioned one', () => {
    const fleet = JSON.parse(dashboards.get('vigie-fleet.json') ?? '{}') as {
      panels: { datasource: { uid: string } }[];
    };
    const [first] = fleet.panels;
    assert.ok(first);
    first.datasource = { ...first.datasource, uid: 'prometheus' };
    // Drifted at its source, so both the JSON file and its ConfigMap carry it.
    const text = JSON.stringify(fleet);
    const changed = new Map(dashboards).set('vigie-fleet.json', text);
    const objects = drifted(build('dev'), 'ConfigMap', 'vigie-fleet-dashboard', (cm) => {
      cm.data = { 'vigie-fleet.json': text };
    });
    assert.deepEqual(verifyGrafanaProvisioning(objects, changed, GRAFANA), [
      'vigie-fleet.json, panel "Clients": uid prometheus, which no provisioned data source has',
    ]);
  });

  it('finds a provisioned data source whose uid drifted from what the syncer writes', () => {
    const objects = drifted(build('gke'), 'ConfigMap', 'vigie-grafana-datasources', (cm) => {
      const data = cm.data as Record<string, string>;
      data['prometheus.yaml'] = (data['prometheus.yaml'] ?? '').replace(
        'uid: vigie-prometheus',
        'uid: gmp',
      );
    });
    assert.deepEqual(verifyGrafanaProvisioning(objects, dashboards, GRAFANA), [
      'CronJob/vigie-system/vigie-grafana-datasource-syncer syncs the data source vigie-prometheus, which is not provisioned',
    ]);
  });

  it("finds a dashboard ConfigMap dropped from Grafana's mount", () => {
    const objects = drifted(build('dev'), 'Deployment', 'vigie-grafana', (deployment) => {
      const volume = podSpec(deployment).volumes.find((v) => v.name === 'dashboards');
      assert.ok(volume?.projected);
      volume.projected.sources = volume.projected.sources.filter(
        (s) => s.configMap?.name !== 'vigie-client-dashboard',
      );
    });
    assert.deepEqual(verifyGrafanaProvisioning(objects, dashboards, GRAFANA), [
      "the provider's folder /etc/grafana/dashboards/vigie lacks vigie-client.json",
    ]);
  });

  it('finds dashboards mounted away from where the provider reads them', () => {
    const objects = drifted(build('gke'), 'Deployment', 'vigie-grafana', (deployment) => {
      const [container] = podSpec(deployment).containers;
      const mount = container?.volumeMounts.find((m) => m.name === 'dashboards');
      assert.ok(mount);
      mount.mountPath = '/var/lib/grafana/dashboards';
    });
    const problems = verifyGrafanaProvisioning(objects, dashboards, GRAFANA);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /lacks vigie-client.json, vigie-console.json/);
  });

  it('finds a second default data source, which the dashboards would not choose between', () => {
    const objects = drifted(build('dev'), 'ConfigMap', 'vigie-grafana-datasources', (cm) => {
      const data = cm.data as Record<string, string>;
      data['other.yaml'] =
        'apiVersion: 1\ndatasources:\n  - { name: Other, uid: other, type: prometheus, isDefault: true }\n';
    });
    assert.deepEqual(verifyGrafanaProvisioning(objects, dashboards, GRAFANA), [
      '2 default data sources, not one',
    ]);
  });
});
