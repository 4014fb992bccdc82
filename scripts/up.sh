#!/usr/bin/env bash
# The one run command: installs what Vigie needs on this machine (ffmpeg from Debian, the npm
# packages, the build), then runs `vigie up` with the arguments given (see `vigie up --help`).
# Later runs skip what is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`Node.js 20.19 or newer is required, found ${process.version}`); process.exit(1) }'
scripts/ensure-debian-packages.sh runtime
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "up: installing npm packages and building (first run only)…" >&2
  # onnxruntime-node ships its CPU binaries; its install script would only fetch GPU ones.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2
fi
exec node apps/cli/bin/vigie.js up "$@"
