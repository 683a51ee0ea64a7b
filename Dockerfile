# One image for the operator (`mcp-operator run`) and the proxies it creates (`mcp-operator proxy`).
# Build: docker build -t ghcr.io/mcp-operator/mcp-operator:0.1.0 .
# Node 24 LTS; compiled JavaScript (starts faster and uses ~30 MB less than type-stripped sources);
# runs as a non-root user on a read-only root filesystem (the chart mounts an emptyDir at /tmp).

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` package's install script would fetch a second Node binary; the image has one.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY cli cli
COPY controlplane controlplane
COPY schemas schemas
COPY webhook webhook
COPY certs certs
COPY controller controller
COPY proxy proxy
COPY lib lib
COPY realnode realnode
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs24-debian12:nonroot
LABEL org.opencontainers.image.source="https://github.com/mcp-operator/mcp-operator" \
      org.opencontainers.image.description="MCP servers on Kubernetes: operator, admission webhooks and proxy" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
ENV NODE_ENV=production
# V8's young generation, fixed at 1 MiB semi-spaces. Left to itself V8 sizes it from the memory it sees: about
# 1 MiB under a small limit such as the chart's 256Mi (its low-memory sizing), but on a large node without a
# limit the new space grows to 64 MiB under churn and is given back only now and then (bench/soak.ts on a 24 GiB
# host: operator RSS swinging 150-200 MiB while the old space stayed at 35 MiB). Fixed, memory no longer depends
# on the node, and the soak measures what the pods run (bench/soak.ts reads this ENV). A NODE_OPTIONS in the
# chart's operator.env replaces it.
ENV NODE_OPTIONS=--max-semi-space-size=1
# glibc's malloc keeps an arena per thread that allocates (up to 8 per core): Node's libuv and V8 threads
# would each hold their own free memory. Two arenas are plenty for one event loop (bench/controller).
ENV MALLOC_ARENA_MAX=2
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# distroless :nonroot is uid/gid 65532, matching the chart's securityContext.
USER 65532:65532
# --optimize-for-size: V8 grows the old generation by smaller steps and gives memory back sooner, so the
# heap holds about what is live instead of twice that after a burst (bench/controller at 1,000 MCPServers:
# V8 heap 44 MiB committed instead of 84, RSS 123 MiB instead of 175). NODE_OPTIONS does not accept it.
ENTRYPOINT ["/nodejs/bin/node", "--optimize-for-size", "dist/cli/main.js"]
CMD ["--help"]
