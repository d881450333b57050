# syntax=docker/dockerfile:1
# The ledger service image. Build from the repository root:
#   docker build -t rma-ledger .
# See infra/README.md for running it against an EventStoreDB cluster.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG PNPM_VERSION=12.21.0

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
# better-sqlite3 compiles its native addon with node-gyp; use the headers that ship in the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    CI=true
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /src

# Download every package the lockfile names first, so source edits keep this layer cached.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch --frozen-lockfile

COPY . .
RUN pnpm install --offline --frozen-lockfile \
 && pnpm build \
 && pnpm --filter @rma-ledger/ledger-service deploy --prod /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LEDGER_HOST=0.0.0.0 \
    LEDGER_PORT=8080 \
    LEDGER_DATA=/data
WORKDIR /app
# The application stays owned by root and read-only to the service user; only /data is writable.
COPY --from=build /out /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LEDGER_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli.js", "serve"]
