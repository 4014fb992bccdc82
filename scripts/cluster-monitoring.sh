#!/usr/bin/env bash
# Installs monitoring into the running one-node cluster of scripts/cluster-up.sh:
# prometheus-operator (its CRDs, and the operator in namespace vigie-monitoring) and one
# Prometheus that scrapes every PodMonitor and ServiceMonitor and evaluates every PrometheusRule
# in the cluster. The namespace carries the vigie.dev/monitoring label that Vigie's
# NetworkPolicies let scrape, and enforces the restricted Pod Security Standard.
#
# The operator v0.85.0, its config reloader and Prometheus 3.5.0 are built from the Go module
# proxy (`scripts/ensure-tools.sh monitoring`: up to half an hour on two cores the first time,
# then cached), put alone in local images (scripts/build-images.sh) and imported into the node's
# containerd. The CRDs are those of the operator's module; the manifests are in
# testing/cluster/manifests/monitoring.
#
#   scripts/cluster-monitoring.sh     prints the Prometheus pod's IP when it is Ready
#
# The host reaches pod IPs, not Service IPs: query Prometheus at http://POD_IP:9090 (the API
# only; the web UI is not built). Running it again applies the same objects again. Needs root,
# like the cluster.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${VIGIE_CLUSTER_DIR:-/var/lib/vigie-cluster}
manifests=$root/testing/cluster/manifests/monitoring
namespace=vigie-monitoring
pod=prometheus-vigie-0

say() { printf 'cluster-monitoring: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "run as root: images are built with buildah and imported into the node's containerd"
[[ -f "$dir/admin.kubeconfig" && -S "$dir/containerd.sock" ]] ||
  fail "no cluster is up in $dir: start one with scripts/cluster-up.sh"

step_started=$SECONDS
step() {
  say "$* ($((SECONDS - step_started))s)"
}

step "building prometheus-operator, its config reloader and Prometheus, and their images"
bin=$("$root/scripts/ensure-tools.sh" monitoring | tail -1)
images=$("$root/scripts/build-images.sh" | tail -1)
kubectl() { "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" "$@"; }
apply() { kubectl apply --server-side --force-conflicts --field-manager=vigie-cluster-monitoring "$@"; }

# The Prometheus object declares the version of the binary in the image: the operator writes the
# flags and config of that version.
declared=$(sed -n 's/^  version: v\(.*\)$/\1/p' "$manifests/prometheus.yaml")
built=$("$bin/prometheus" --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p')
[[ -n "$built" && "$declared" == "$built" ]] ||
  fail "prometheus.yaml declares version ${declared:-none} but the binary is ${built:-unknown}"

step "importing the images into the node's containerd"
for name in prometheus-operator prometheus-config-reloader prometheus; do
  ctr --address "$dir/containerd.sock" --namespace k8s.io images import "$images/$name.tar" >/dev/null
done

step "prometheus-operator's CRDs"
crds="$(cd "$root/tools/prometheus-operator" &&
  go list -m -f '{{.Dir}}' github.com/prometheus-operator/prometheus-operator)/example/prometheus-operator-crd"
[[ -d "$crds" ]] || fail "the operator's module has no $crds"
apply -f "$crds" >/dev/null
kubectl wait --for condition=Established --timeout=60s -f "$crds" >/dev/null

step "the operator in $namespace"
apply -f "$manifests/namespace.yaml" -f "$manifests/operator.yaml" >/dev/null
kubectl -n "$namespace" rollout status deployment/prometheus-operator --timeout=120s >/dev/null

step "Prometheus $built"
apply -f "$manifests/prometheus.yaml" >/dev/null
# The operator creates the StatefulSet, and then its pod, a few seconds later.
for _ in $(seq 1 120); do
  ready=$(kubectl -n "$namespace" get pod "$pod" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
  [[ "$ready" == True ]] && break
  sleep 1
done
if [[ "$ready" != True ]]; then
  say "Prometheus did not become Ready; the operator's last words and the pod:"
  kubectl -n "$namespace" logs deployment/prometheus-operator --tail=20 >&2 || true
  kubectl -n "$namespace" describe pod "$pod" >&2 || true
  exit 1
fi

say "monitoring is up in $((SECONDS - step_started))s; Prometheus answers on port 9090"
kubectl -n "$namespace" get pod "$pod" -o jsonpath='{.status.podIP}{"\n"}'
