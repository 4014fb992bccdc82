// The monitoring objects generated from Vigie's one rule file
// (deploy/monitoring/rules/vigie.rules.yaml): a ClusterRules object for Google Managed
// Prometheus and a PrometheusRule for prometheus-operator, with the same groups.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const SOURCE = 'deploy/monitoring/rules/vigie.rules.yaml';
const LABELS = { 'app.kubernetes.io/name': 'vigie-alerts', 'app.kubernetes.io/part-of': 'vigie' };

function header(kind) {
  return [
    `# GENERATED from ${SOURCE} by \`npm run generate\`: edit the source, not this file.`,
    `# ${kind}`,
    '',
  ].join('\n');
}

/** The generated files, by path, from the rule file under `root`. */
export function monitoringFiles(root) {
  const { groups } = parse(readFileSync(join(root, SOURCE), 'utf8'));
  const options = { lineWidth: 0 };
  return {
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
