#!/usr/bin/env bash
# The whole-flow test on the real one-node cluster, with the parts .ci/run leaves out because
# they take long to build the first time (measured: 31 minutes for Traefik, 27 for prometheus-operator
# and Prometheus, side by side on two busy cores; then seconds):
# prometheus-operator with a Prometheus that scrapes Vigie through its PodMonitors and loads its
# PrometheusRule (scripts/cluster-monitoring.sh), and the Traefik Ingress controller publishing
# the console over TLS on 127.0.0.1:8443 (scripts/cluster-ingress.sh).
#
#   scripts/test-cluster-full.sh
#
# .ci/run runs the same test without them (steps 1-4 and 6 of the flow, and the faults). Needs
# root, like the cluster; leaves the machine as it was.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
[[ $(id -u) -eq 0 ]] || { echo "test-cluster-full: run as root, like scripts/cluster-up.sh" >&2; exit 1; }

started=$SECONDS
echo "test-cluster-full: building prometheus-operator, Prometheus and Traefik (first run only)" >&2
scripts/ensure-tools.sh full >/dev/null
npx tsc -b
VIGIE_CLUSTER_FULL=1 node scripts/run-tests.js testing/cluster/dist/flow
echo "test-cluster-full: passed in $((SECONDS - started))s" >&2
