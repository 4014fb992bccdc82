#!/usr/bin/env bash
# Installs the Ingress controller into the running one-node cluster of scripts/cluster-up.sh:
# Traefik, which serves the Ingresses of class traefik in vigie-system over HTTPS on
# 127.0.0.1:8443 of this machine (the dev overlay's console, and Grafana under /grafana/). The
# certificate for vigie.localhost is made here, from a CA made for this cluster only, and put in
# the Secret vigie-console-tls that the dev overlay's Ingress names; both stay in the cluster's
# state folder, which cluster-down.sh removes.
#
# Traefik is built from the Go module proxy (`scripts/ensure-tools.sh full`, several minutes the
# first time), put alone in a local image (scripts/build-images.sh) and imported into the node's
# containerd. The manifests are in testing/cluster/manifests/ingress.
#
#   scripts/cluster-ingress.sh     prints the console's https URL, then the CA's path
#
#   curl --cacert "$(scripts/cluster-ingress.sh | tail -1)" https://vigie.localhost:8443/
#
# Browsers and curl resolve *.localhost to loopback themselves. Running it again applies the same
# objects again and keeps the CA and the certificate. Needs root, like the cluster.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${VIGIE_CLUSTER_DIR:-/var/lib/vigie-cluster}
manifests=$root/testing/cluster/manifests/ingress
host=vigie.localhost
port=8443
secret=vigie-console-tls
pki=$dir/ingress

say() { printf 'cluster-ingress: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "run as root: the image is built with buildah and imported into the node's containerd"
[[ -f "$dir/admin.kubeconfig" && -S "$dir/containerd.sock" ]] ||
  fail "no cluster is up in $dir: start one with scripts/cluster-up.sh"
grep -q -- "--entryPoints.websecure.address=127.0.0.1:$port$" "$manifests/traefik.yaml" ||
  fail "traefik.yaml does not serve 127.0.0.1:$port, which this script prints"

step_started=$SECONDS
step() {
  say "$* ($((SECONDS - step_started))s)"
}

step "building Traefik and its image"
bin=$("$root/scripts/ensure-tools.sh" full | tail -1)
[[ -x "$bin/traefik" ]] || fail "ensure-tools.sh full built no traefik in $bin"
images=$("$root/scripts/build-images.sh" | tail -1)
[[ -f "$images/traefik.tar" ]] || fail "build-images.sh made no $images/traefik.tar"
kubectl() { "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" "$@"; }
apply() { kubectl apply --server-side --force-conflicts --field-manager=vigie-cluster-ingress "$@"; }

step "importing the image into the node's containerd"
ctr --address "$dir/containerd.sock" --namespace k8s.io images import "$images/traefik.tar" >/dev/null

step "the certificate for $host, from this cluster's own CA"
mkdir -p "$pki"
chmod 700 "$pki"
if [[ ! -f "$pki/ca.crt" || ! -f "$pki/$host.crt" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Vigie one-node cluster ingress CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$host" \
    -keyout "$pki/$host.key" -out "$pki/$host.csr" 2>/dev/null
  openssl x509 -req -days 30 -in "$pki/$host.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -out "$pki/$host.crt" 2>/dev/null \
    -extfile <(printf '%s\n' "subjectAltName=DNS:$host" "extendedKeyUsage=serverAuth" \
      "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment")
  rm -f "$pki/$host.csr"
fi

step "Traefik in vigie-ingress, and the Secret $secret in vigie-system"
# The namespace as Vigie's install makes it (restricted), for the Secret and Traefik's Role.
apply -f "$root/deploy/operator/namespace.yaml" >/dev/null
kubectl -n vigie-system create secret tls "$secret" --cert="$pki/$host.crt" --key="$pki/$host.key" \
  --dry-run=client -o yaml | apply -f - >/dev/null
apply -f "$manifests/traefik.yaml" >/dev/null
if ! kubectl -n vigie-ingress rollout status deployment/traefik --timeout=120s >/dev/null; then
  say "Traefik did not become Ready; its pod and its last words:"
  kubectl -n vigie-ingress describe pod -l app.kubernetes.io/name=traefik >&2 || true
  kubectl -n vigie-ingress logs deployment/traefik --tail=20 >&2 || true
  exit 1
fi

say "Traefik is up in $((SECONDS - step_started))s; trust the CA on the last line"
echo "https://$host:$port/"
echo "$pki/ca.crt"
