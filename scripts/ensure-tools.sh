#!/usr/bin/env bash
# Builds the real components that Vigie's integration tests and its one-node cluster run
# (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kubelet, kube-proxy, etcd,
# kwok, CoreDNS, kube-router, fake-gcs-server) and OpenTofu (to check the Terraform offline)
# from the Go module proxy, pinned by the wrapper modules under tools/, and caches them outside
# the clone.
#
# The cache key of each tool set is the hash of its go.mod, go.sum and the Go version, so a
# second run costs nothing and a version bump rebuilds only what changed. Binaries end up linked
# in "$VIGIE_CACHE/bin" (default: ~/.cache/vigie/bin).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${VIGIE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie}
bin="$cache/bin"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "ensure-tools: Go is required to build the test control plane (https://go.dev/dl)" >&2
  exit 1
fi

go_version=$(go env GOVERSION)
kube_version=$(cd "$root/tools/kube" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
[[ "$kube_version" =~ ^v1\.[0-9]+\.[0-9]+$ ]] || { echo "ensure-tools: cannot read the Kubernetes version" >&2; exit 1; }

# build NAME [LDFLAGS [FROM=TO]]: builds tools/NAME's tools and links them into $bin, renaming
# binary FROM to TO (a main package at a module root is named after the module's last element).
build() {
  local name=$1 ldflags=${2:-} rename=${3:-} f link
  local dir="$root/tools/$name"
  local key
  key=$(cat "$dir/go.mod" "$dir/go.sum" <(echo "$go_version $ldflags") | sha256sum | cut -c1-16)
  local out="$cache/tools/$name-$key"
  if [[ ! -f "$out/.complete" ]]; then
    echo "ensure-tools: building $name (first run only; cached in $out)" >&2
    local started=$SECONDS
    rm -rf "$out.tmp"
    mkdir -p "$out.tmp"
    (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp/" tool)
    if [[ "$name" == kwok ]]; then
      # kwok ships its node and pod lifecycle stages as YAML in its module, not in the binary.
      local stages
      stages="$(cd "$dir" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
      for f in "$stages"/node/fast/node-initialize.yaml "$stages"/pod/fast/pod-{ready,complete,delete}.yaml; do
        echo '---'
        cat "$f"
      done >"$out.tmp/kwok-stages.yaml"
    fi
    touch "$out.tmp/.complete"
    rm -rf "$out"
    mv "$out.tmp" "$out"
    # Older builds of the same tool set are no longer linked; drop them.
    find "$cache/tools" -maxdepth 1 -name "$name-*" ! -path "$out" -exec rm -rf {} + 2>/dev/null || true
    echo "ensure-tools: built $name in $((SECONDS - started))s" >&2
  fi
  for f in "$out"/*; do
    link=$(basename "$f")
    [[ -n "$rename" && "$link" == "${rename%%=*}" ]] && link=${rename#*=}
    ln -sfn "$f" "$bin/$link"
  done
}

minor=${kube_version#v1.}
minor=${minor%%.*}
pkg=k8s.io/component-base/version
build kube "-X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
build etcd '' server=etcd
build kwok
build coredns
build kube-router
build gcs
build tofu

# --- Monitoring of the one-node cluster (scripts/cluster-monitoring.sh): prometheus-operator with
# its config reloader, and Prometheus with promtool, each from its own wrapper module. Their
# first compile takes a quarter of an hour or more on two cores, so it runs only when asked for:
# `scripts/ensure-tools.sh full` or VIGIE_TOOLS=full, or `monitoring` for these alone. The
# version they report is the VERSION file their module ships.
asked=" ${1:-} ${VIGIE_TOOLS:-} "
if [[ "$asked" == *" full "* || "$asked" == *" monitoring "* ]]; then
  # module_version NAME MODULE: the VERSION file of MODULE, as required by tools/NAME.
  module_version() {
    local dir
    dir=$(cd "$root/tools/$1" && go mod download "$2" && go list -m -f '{{.Dir}}' "$2")
    cat "$dir/VERSION"
  }
  common=github.com/prometheus/common/version
  build prometheus-operator \
    "-X $common.Version=$(module_version prometheus-operator github.com/prometheus-operator/prometheus-operator)" \
    operator=prometheus-operator
  build prometheus "-X $common.Version=$(module_version prometheus github.com/prometheus/prometheus)"
fi
# --- end of monitoring

# --- Ingress of the one-node cluster (scripts/cluster-ingress.sh): Traefik, without its web
# dashboard. Its first compile took 31 minutes on two busy cores (13 of CPU), so it too runs only
# when asked for (`full`). It reports the version its wrapper module requires.
if [[ "${1:-}" == full || "${VIGIE_TOOLS:-}" == full ]]; then
  traefik_version=$(cd "$root/tools/traefik" && go list -m -f '{{.Version}}' github.com/traefik/traefik/v3)
  build traefik "-X github.com/traefik/traefik/v3/pkg/version.Version=$traefik_version"
fi
# --- end of ingress

echo "$bin"
