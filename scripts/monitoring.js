// The monitoring objects generated from Vigie's one rule file
// (deploy/monitoring/rules/vigie.rules.yaml): a ClusterRules object for Google Managed
// Prometheus and a PrometheusRule for prometheus-operator, with the same groups.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DASHBOARDS, grafanaDashboard } from './dashboards.js';

const SOURCE = 'deploy/monitoring/rules/vigie.rules.yaml';
const LABELS = { 'app.kubernetes.io/name': 'vigie-alerts', 'app.kubernetes.io/part-of': 'vigie' };

function header(kind) {
  return [
    `# GENERATED from ${SOURCE} by \`npm run generate\`: edit the source, not this file.`,
    `# ${kind}`,
    '',
  ].join('\n');
}

/** Each dashboard as JSON, and all of them as ConfigMaps for Grafana's sidecar. */
function dashboardFiles() {
  const files = {};
  const configMaps = [];
  for (const definition of DASHBOARDS) {
    const json = `${JSON.stringify(grafanaDashboard(definition), null, 2)}\n`;
    files[`deploy/monitoring/grafana/dashboards/${definition.uid}.json`] = json;
    configMaps.push(
      stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `${definition.uid}-dashboard`,
          namespace: 'vigie-system',
          labels: { ...LABELS, 'app.kubernetes.io/name': definition.uid, grafana_dashboard: '1' },
        },
        data: { [`${definition.uid}.json`]: json },
      }),
    );
  }
  files['deploy/monitoring/grafana/dashboards.yaml'] =
    `# GENERATED from scripts/dashboards.js by \`npm run generate\`: edit the source, not this file.\n` +
    '# Grafana\'s dashboard sidecar loads every ConfigMap labelled grafana_dashboard: "1".\n' +
    configMaps.join('---\n');
  return files;
}

/** The generated files, by path, from the rule file under `root` and the dashboards. */
export function monitoringFiles(root) {
  const { groups } = parse(readFileSync(join(root, SOURCE), 'utf8'));
  const options = { lineWidth: 0 };
  return {
    ...dashboardFiles(),
    // ClusterRules, not Rules: detectors live in each tenant's namespace, and a namespaced
    // Rules object only sees its own namespace's series.
    'deploy/monitoring/gmp/rules.yaml':
      header('Google Managed Prometheus evaluates these across every namespace.') +
      stringify(
        {
          apiVersion: 'monitoring.googleapis.com/v1',
          kind: 'ClusterRules',
          metadata: { name: 'vigie-alerts', labels: LABELS },
          spec: { groups },
        },
        options,
      ),
    'deploy/monitoring/prometheus-operator/prometheusrule.yaml':
      header("prometheus-operator: match your Prometheus's ruleSelector (labels below).") +
      stringify(
        {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PrometheusRule',
          metadata: { name: 'vigie-alerts', namespace: 'vigie-system', labels: LABELS },
          spec: { groups },
        },
        options,
      ),
  };
}
