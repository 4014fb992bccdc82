#!/usr/bin/env bash
# Installs the Debian packages that Vigie's tests use, when they are missing: xmllint for the
# XSD, ffmpeg for the detector's ingest and evidence, GStreamer's RTSP server (driven by
# /usr/bin/python3) for the real RTSP stream the detector tests read, PostgreSQL for the
# console's storage tests and benchmark, Chromium for the review UI's browser tests, and
# Prometheus (promtool) for the alert rules' tests.
#
# With "runtime", installs only what `vigie up` needs to run (ffmpeg for evidence); with
# "images", what scripts/build-images.sh needs (buildah, mmdebstrap); with "cluster", what a
# real node needs too (scripts/cluster-up.sh: containerd, runc, CNI plugins, iptables).
set -euo pipefail

if [[ "${1:-}" == "runtime" ]]; then
  wanted=(ffmpeg)
elif [[ "${1:-}" == "images" ]]; then
  wanted=(buildah mmdebstrap)
elif [[ "${1:-}" == "cluster" ]]; then
  wanted=(buildah mmdebstrap containerd runc containernetworking-plugins iptables ipset conntrack curl openssl)
else
wanted=(
  libxml2-utils
  ffmpeg
  python3-gst-1.0
  gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  postgresql
  chromium
  prometheus
)
fi

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
echo "ensure-debian-packages: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
