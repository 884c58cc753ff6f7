# A backend node: the Hono app on @hono/node-server, as nobody, with production dependencies only.
#
# NODE_IMAGE: node:20-bookworm-slim from a registry, or the local base that `hakit images
# --offline` makes (debootstrap + this machine's own node and npm).
# Written for the classic builder too (docker-compose v1 uses it): no BuildKit-only syntax.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: the compiler is a dev dependency, so install everything, compile, then prune.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No lifecycle scripts: nothing the backend uses needs one, and it keeps native builds out.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY backends/ ./backends/
# Only backends/ is in the build context (.dockerignore), so this compiles the backend alone.
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production PORT=8080
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules/ ./node_modules/
COPY --from=build /src/dist/backends/ ./dist/backends/
# nobody:nogroup exists in every Debian-based image; the same user as in the netns runtime.
USER 65534:65534
EXPOSE 8080
# node is PID 1 and handles SIGTERM itself (drain, then exit: backends/server.ts).
ENTRYPOINT ["node", "dist/backends/server.js"]
