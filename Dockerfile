# Confab in one image: HTTP, signaling, the SFU and the web client in one Node.js process.
#
#   docker build -t confab:0.1.0 .
#   docker run --rm --stop-timeout 3600 -p 8000:8000 -p 10000-10001:10000-10001/udp -p 4443-4444:4443-4444/tcp \
#     -e MEDIA_WORKERS=2 -e PUBLIC_URL=https://meet.example.com/ -e MEDIA_ADVERTISE_IPS=<this host's public IP> confab:0.1.0
#
# One UDP and one TCP port per media worker: worker i listens on MEDIA_UDP_PORT+i
# and MEDIA_TCP_PORT+i. Set MEDIA_WORKERS (its default, the number of cores, is
# the host's in a container) and publish every worker's ports with the same
# numbers inside and out: the server puts its room's worker's port into ICE
# candidates. MEDIA_WORKERS=1: one UDP and one TCP port (-p 10000:10000/udp -p 4443:4443/tcp).

# ---- build: compile the server (tsc), the web client (vite) and the libsrtp addon ----
# Node 22 LTS (Node 20 is past its end of life); the code also runs on Node 20.
FROM node:22-bookworm-slim AS build
WORKDIR /src
# A compiler and libsrtp's headers for native/srtp (SRTP ~5x cheaper per packet than werift's own).
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 make g++ libsrtp2-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, so this layer is reused until package*.json change.
# --ignore-scripts: `npm ci` would run our `prepare` (the build) before the sources are here;
# the werift patches and the addon are applied and built below.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --ignore-scripts --no-audit --no-fund && npx patch-package
COPY tsconfig.json ./
COPY native ./native
COPY scripts/build-native.mjs ./scripts/build-native.mjs
RUN npx node-gyp rebuild --directory native/srtp --loglevel=warn
COPY src ./src
COPY web ./web
RUN npm run build

# ---- runtime: production dependencies and the built files only ----
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# libsrtp2's shared library for the addon built above.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends libsrtp2-1 >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY patches ./patches
# --ignore-scripts skips `prepare` (the build, done above, needs dev tools);
# `npm rebuild` then runs the dependencies' own install steps (native addons), and patch-package
# applies our werift patches (patches/: single-port transport, ICE fixes, SRTP hook).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild \
 && npx patch-package \
 && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/web ./dist/web
COPY --from=build /src/native/srtp/build/Release/confab_srtp.node ./native/srtp/build/Release/confab_srtp.node
COPY bin ./bin
# The attendance webhooks' outbox (WEBHOOK_OUTBOX_PATH, default ./data/webhooks.sqlite) is
# written here: owned by the runtime user; mount a volume on /app/data to keep it across containers.
RUN mkdir -p data && chown node:node data

# The `node` user (uid 1000) comes with the image: nothing here runs as root.
USER node
# HTTP, and the media ports for MEDIA_WORKERS=2 as deploy/kubernetes sets it: MEDIA_UDP_PORT..+1/udp
# and MEDIA_TCP_PORT..+1/tcp, one of each per media worker (more workers: more ports).
EXPOSE 8000/tcp 10000-10001/udp 4443-4444/tcp
# No curl in slim images: node itself asks /healthz, below PUBLIC_URL's path like every route.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "let p=new URL(process.env.PUBLIC_URL||'http://x/').pathname;if(!p.endsWith('/'))p+='/';fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8000)+p+'healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: classes finish first (DRAIN_TIMEOUT_S). Give `docker stop` as long (--stop-timeout / -t).
STOPSIGNAL SIGTERM
# --max-semi-space-size=4 (MB, V8's default 16): the young generation of a media server churns
# fast; 4 MB semi-spaces keep ~25 MB less resident at 8 participants for the same CPU (bench). As npm start.
ENTRYPOINT ["node", "--max-semi-space-size=4", "bin/confab.js"]
CMD ["serve"]
