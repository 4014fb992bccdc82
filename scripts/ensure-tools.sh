#!/usr/bin/env bash
# Builds the real components that Vigie's integration tests run against (kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl, etcd, kwok, fake-gcs-server) from the Go
# module proxy, pinned by the wrapper modules under tools/, and caches them outside the clone.
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
kube_version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$root/tools/kube/go.mod")

build() {
  local name=$1 ldflags=${2:-}
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
    touch "$out.tmp/.complete"
    rm -rf "$out"
    mv "$out.tmp" "$out"
    echo "ensure-tools: built $name in $((SECONDS - started))s" >&2
  fi
  local f
  for f in "$out"/*; do
    ln -sfn "$f" "$bin/$(basename "$f")"
  done
}

minor=${kube_version#v1.}
minor=${minor%%.*}
pkg=k8s.io/component-base/version
build kube "-X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
build etcd
build kwok
build gcs

echo "$bin"
