# syntax=docker/dockerfile:1
#
# Images of the three faces, one target each (the last, `visor`, is the default):
#   docker build --target visor      -t visor .
#   docker build --target nymvisor   -t nymvisor .
#   docker build --target cosmovisor -t cosmovisor .
# How to run them (volumes, stop timeout, probes, metrics): docs/operations.md#containers.

ARG RUST_VERSION=1.95
ARG DEBIAN=trixie

# --- build: the three binaries, once -------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN} AS builder
WORKDIR /src
# The whole workspace (Cargo needs every member); .git comes along so `version` and the
# metrics' visor_build_info name the commit.
COPY . .
# The target folder is a cache mount, so the binaries are copied out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p visor -p nymvisor -p cosmovisor \
 && install -D -m 0755 -t /out target/release/visor target/release/nymvisor target/release/cosmovisor

# --- runtime: what every face needs ---------------------------------------------------------
# Debian slim rather than distroless: the node the visor runs is a release binary linked
# against glibc, Cosmos pre-upgrade hooks are shell scripts, and a shell helps when an
# operator has to look inside.
FROM debian:${DEBIAN}-slim AS runtime
# ca-certificates: release downloads are https only and checked against the system's roots.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A fixed, unprivileged user: files on the volume keep the same owner from one image to the next.
RUN groupadd --system --gid 10001 node \
 && useradd --system --uid 10001 --gid node --home-dir /data --shell /usr/sbin/nologin node \
 && install -d -o node -g node -m 0750 /data
# Everything that must survive the container: the visor's home (releases, `current`, state,
# history, backups) and the node's own data. `current` is a relative link, so the volume may be
# mounted anywhere.
VOLUME ["/data"]
WORKDIR /data
ENV HOME=/data
USER node
# Metrics are off unless turned on; a container listens on every address (the port is only
# reachable where it is published): -e VISOR_METRICS_LISTEN=0.0.0.0:9464 (or the face's own).
EXPOSE 9464
# The visor is PID 1: it handles INT/TERM/QUIT (stops the node in order, then exits) and reaps
# every orphan, so no init is needed in front. Give `docker stop` more time than the grace the
# visor gives the node (docker run --stop-timeout 60; compose: stop_grace_period: 60s).
STOPSIGNAL SIGTERM

# --- nymvisor: a Nym binary ---------------------------------------------------------------
# Instances live in ~/.nym/nymvisors (HOME=/data). Pass the daemon's arguments after `run`:
#   docker run -v nym:/data --stop-timeout 60 nymvisor run run --id my-node
FROM runtime AS nymvisor
COPY --from=builder /out/nymvisor /usr/local/bin/nymvisor
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["nymvisor", "status", "--probe", "live"]
ENTRYPOINT ["nymvisor"]
CMD ["run"]

# --- cosmovisor: a Cosmos SDK app ---------------------------------------------------------
# DAEMON_HOME is the volume; set DAEMON_NAME (and the other DAEMON_* variables) at run time:
#   docker run -v chain:/data -e DAEMON_NAME=simd --stop-timeout 60 cosmovisor
FROM runtime AS cosmovisor
ENV DAEMON_HOME=/data
COPY --from=builder /out/cosmovisor /usr/local/bin/cosmovisor
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["cosmovisor", "status", "--probe", "live"]
ENTRYPOINT ["cosmovisor"]
CMD ["run", "start", "--home", "/data"]

# --- visor: a Vega core and data node (the default target) --------------------------------
# The visor's home is /data/visor (made with `visor init`); the node's data sits beside it.
#   docker run -v vega:/data --stop-timeout 60 visor
FROM runtime AS visor
COPY --from=builder /out/visor /usr/local/bin/visor
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["visor", "status", "--home", "/data/visor", "--probe", "live"]
ENTRYPOINT ["visor"]
CMD ["run", "--home", "/data/visor"]
