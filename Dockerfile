# syntax=docker/dockerfile:1
# Patchbay's images, built from this repository (npm serves pnpm and the dependencies pinned in
# pnpm-lock.yaml; no Patchbay package comes from it). One build stage compiles the workspace once; each image is a final stage
# chosen with --target, holding one package and its production dependencies:
#
#   docker build --target git -t patchbay-git .        # also: postgres, puppeteer, github, slack, gdrive
#   docker build --target gateway -t patchbay .        # `patchbay serve`: every connector in one process
#
# Building several targets reuses the build stage (Docker's cache; buildah bud --layers).
# Each image serves Streamable HTTP on 0.0.0.0:8931 and refuses to start without a bearer token
# (-e PATCHBAY_HTTP_TOKEN=…); -e PATCHBAY_HTTP= (empty) serves stdio instead. See README.md.

# ---- build: the whole workspace, installed from the lockfile and compiled once ---------------
FROM docker.io/library/node:20-bookworm-slim AS build
ARG PNPM_VERSION=10.34.9
RUN npm install --global "pnpm@${PNPM_VERSION}" && npm cache clean --force
ENV CI=true PUPPETEER_SKIP_DOWNLOAD=1 TURBO_TELEMETRY_DISABLED=1
WORKDIR /src

# The manifests first (and the committed bin stubs pnpm links): the install layer is reused until
# a dependency changes, not on every edit.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY shared/kit/package.json shared/kit/
COPY shared/testing/package.json shared/testing/
COPY servers/git/package.json servers/git/bin.cjs servers/git/
COPY servers/postgres/package.json servers/postgres/bin.cjs servers/postgres/
COPY servers/puppeteer/package.json servers/puppeteer/bin.cjs servers/puppeteer/
COPY servers/github/package.json servers/github/bin.cjs servers/github/
COPY servers/slack/package.json servers/slack/bin.cjs servers/slack/
COPY servers/gdrive/package.json servers/gdrive/bin.cjs servers/gdrive/
COPY packages/sandbox/package.json packages/sandbox/bin.js packages/sandbox/
COPY packages/cli/package.json packages/cli/
COPY packages/bench/package.json packages/bench/
COPY packages/conformance/package.json packages/conformance/
COPY packages/images/package.json packages/images/
# Only what the seven images are built from (the gateway and everything it depends on, and the
# root's build tools), not the benchmark's and conformance suite's dependencies.
RUN pnpm install --frozen-lockfile --filter "@patchbay/cli..." --filter patchbay

COPY tsconfig.base.json ./
COPY scripts/bundle.mjs scripts/
COPY shared shared
COPY servers servers
COPY packages packages
# The gateway depends on every connector, so this builds all seven images' code in one go.
RUN pnpm --filter "@patchbay/cli..." run build

# Each image's files, laid out from / : the package with its production dependencies only
# (workspace packages copied in as published, the kit bundled into each connector's dist) at /app,
# and its bin on PATH. (--legacy: pnpm 10's other deploy needs inject-workspace-packages, which
# would change how the whole workspace is installed.)
RUN set -e; \
    for name in git postgres puppeteer github slack gdrive; do \
      pnpm --filter "@patchbay/$name" deploy --prod --legacy "/out/$name/app"; \
      mkdir -p "/out/$name/usr/local/bin"; \
      ln -s /app/bin.cjs "/out/$name/usr/local/bin/patchbay-$name"; \
    done; \
    pnpm --filter @patchbay/cli deploy --prod --legacy /out/gateway/app; \
    mkdir -p /out/gateway/usr/local/bin; \
    ln -s /app/dist/cli.js /out/gateway/usr/local/bin/patchbay

# ---- runtime: what every image shares ---------------------------------------------------------
FROM docker.io/library/node:20-bookworm-slim AS runtime
# Streamable HTTP on every interface of the container by default; the kit refuses to start on a
# non-loopback address without PATCHBAY_HTTP_TOKEN. PATCHBAY_HTTP= (empty) serves stdio.
ENV NODE_ENV=production \
    PATCHBAY_HTTP=0.0.0.0:8931 \
    HOME=/tmp/home
# A writable HOME (git's config and known_hosts, Chromium's profile) whatever --user runs it.
RUN mkdir -p /tmp/home && chmod 1777 /tmp/home
COPY packages/images/healthcheck.mjs /usr/local/lib/patchbay/healthcheck.mjs
EXPOSE 8931
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "/usr/local/lib/patchbay/healthcheck.mjs"]
WORKDIR /app

# ---- the connectors ---------------------------------------------------------------------------
FROM runtime AS git
# git and ssh for the tools, CA certificates for https remotes. Repositories mounted from the host
# belong to another user than `node`: the connector trusts the ones given with --repository for
# exactly their paths (safe.directory, never `*`) and says "dubious ownership" for any other.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/git/ /
USER node
WORKDIR /repos
ENTRYPOINT ["patchbay-git"]

FROM runtime AS postgres
COPY --from=build /out/postgres/ /
USER node
ENTRYPOINT ["patchbay-postgres"]

FROM runtime AS puppeteer
# Debian's Chromium (npm never downloads a browser) and fonts for real pages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Docker's default seccomp profile denies the namespaces Chromium's sandbox needs, so inside the
# container the container is the sandbox. Set PATCHBAY_PUPPETEER_NO_SANDBOX= (empty) when you run
# with a profile that allows them.
ENV PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    PATCHBAY_PUPPETEER_NO_SANDBOX=1
COPY --from=build /out/puppeteer/ /
USER node
ENTRYPOINT ["patchbay-puppeteer"]

FROM runtime AS github
COPY --from=build /out/github/ /
USER node
ENTRYPOINT ["patchbay-github"]

FROM runtime AS slack
COPY --from=build /out/slack/ /
USER node
ENTRYPOINT ["patchbay-slack"]

FROM runtime AS gdrive
COPY --from=build /out/gdrive/ /
USER node
ENTRYPOINT ["patchbay-gdrive"]

# ---- the gateway: `patchbay serve`, every connector behind one port ---------------------------
FROM runtime AS gateway
# The same layer as the git image's (one download when both are built): the git connector needs git.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/gateway/ /
USER node
# patchbay.config.json is read from the working folder: mount yours at /config.
WORKDIR /config
ENTRYPOINT ["patchbay"]
CMD ["serve"]
