#!/usr/bin/env bash
# The one test command: installs what the tests need (Debian packages, npm packages, the
# control-plane binaries built from the Go module proxy), checks generated files and lint, and
# runs every test. Works on a fresh machine; later runs reuse the caches in ~/.cache/vigie.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Checking Node.js and Go"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`Node.js 20.19 or newer is required, found ${process.version}`); process.exit(1) }'
command -v go >/dev/null || { echo "Go is required to build the test control plane" >&2; exit 1; }

step "Installing Debian packages the tests use"
scripts/ensure-debian-packages.sh

step "Installing npm packages (npm ci) and building"
# onnxruntime-node ships its CPU binaries in the package; its install script would only fetch
# GPU binaries, which nothing here uses.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

step "Building the control plane and the node (etcd, kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, CoreDNS, kube-router, kwok, fake-gcs-server)"
scripts/ensure-tools.sh >/dev/null

step "Fetching the real footage the detection tests judge (vtest.avi, from Debian's opencv-doc)"
scripts/ensure-footage.sh >/dev/null

step "Checking generated files"
node scripts/generate.js --check

step "Linting"
npx eslint .
npx prettier --check .

step "Running tests"
node scripts/run-tests.js
