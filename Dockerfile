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

# Build everything once: `npm ci` compiles the TypeScript and the console's review UI.
FROM ${BUILD_BASE} AS build
# A builder whose network inspects TLS passes its CA bundle's path here (a file it mounts for the
# build only); build arguments are not kept in the images.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
# onnxruntime-node ships its CPU binaries in the package; its install script would only fetch
# GPU ones.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY testing ./testing
RUN npm ci --no-audit --no-fund \
  && find packages apps testing -name src -type d -prune -exec rm -rf {} + \
  && find packages apps testing -name '*.test.js*' -delete

# The compiled workspaces, without sources or tests; each app installs its production
# dependencies on top (--ignore-scripts: nothing is compiled again).
FROM ${RUNTIME_BASE} AS base
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages ./packages
COPY --from=build /src/apps ./apps
COPY --from=build /src/testing ./testing

FROM base AS operator
ARG NODE_EXTRA_CA_CERTS
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace apps/operator \
  && rm -rf testing /root/.npm
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "apps/operator/dist/main.js"]

FROM base AS console
ARG NODE_EXTRA_CA_CERTS
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace apps/console \
  && rm -rf testing /root/.npm
USER 65532:65532
EXPOSE 8080 9464
ENTRYPOINT ["node", "apps/console/dist/main.js"]

# The detector also needs Debian's ffmpeg (ingest and evidence clips).
FROM base AS detector
ARG NODE_EXTRA_CA_CERTS
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/* \
  && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace apps/detector \
  && rm -rf testing /root/.npm
USER 65532:65532
EXPOSE 9464
ENTRYPOINT ["node", "apps/detector/dist/main.js"]
