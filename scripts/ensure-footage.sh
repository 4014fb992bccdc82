#!/usr/bin/env bash
# Puts the real footage the detection tests and benchmark use into the cache: OpenCV's sample
# clip vtest.avi (768x576, 10 fps, 79.5 s, a high fixed camera over a plaza), taken from
# Debian's opencv-doc package. The package is downloaded once, the clip extracted with dpkg-deb
# and checked against its SHA-256, and the package thrown away; nothing is committed.
# Prints the clip's path.
set -euo pipefail

sha256=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
cache="${VIGIE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie}/footage"
clip="$cache/vtest.avi"

if [[ -f "$clip" ]] && echo "$sha256  $clip" | sha256sum --check --status; then
  echo "$clip"
  exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "ensure-footage: downloading Debian's opencv-doc for vtest.avi" >&2
(cd "$work" && apt-get download opencv-doc >/dev/null 2>&1) || {
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  (cd "$work" && apt-get download opencv-doc >/dev/null)
}
dpkg-deb --fsys-tarfile "$work"/opencv-doc_*.deb |
  tar -x -C "$work" ./usr/share/doc/opencv-doc/examples/data/vtest.avi
mv "$work/usr/share/doc/opencv-doc/examples/data/vtest.avi" "$clip.part"
if ! echo "$sha256  $clip.part" | sha256sum --check --status; then
  echo "ensure-footage: vtest.avi from this opencv-doc does not match the labelled clip ($sha256)" >&2
  rm -f "$clip.part"
  exit 1
fi
mv "$clip.part" "$clip"
echo "$clip"
