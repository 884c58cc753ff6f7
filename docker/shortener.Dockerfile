# The URL shortener's nodes (`hakit up --with shortener`): one image for the four kinds, each
# started by its own entrypoint under tini (compose.yaml sets which): nats-server with JetStream
# (the log), etcd (consensus), Patroni with PostgreSQL 15 (the database), redis-server (a
# backend's own Redis). The files sit at the same paths as in the netns runtime; data in /data.
# One image rather than four: the servers share the base and most of its libraries, so the four
# cost one download and one set of layers (docs/architecture.md#placement).
#
# BASE_IMAGE: debian:bookworm-slim from a registry, or the local base that `hakit images
# --offline` makes with debootstrap (which already carries the packages below).
# Written for the classic builder too (docker-compose v1 uses it): no BuildKit-only syntax.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# The servers; etcd-client: etcdctl for etcd-auth (users, roles, auth enable); tini: PID 1,
# reaps zombies and forwards SIGTERM to the entrypoint; iproute2: a hard kill takes the link down
# first (a host death is silent); nftables: a partition cut inside the node's own namespace.
# setpriv (util-linux, in every Debian) drops each server to its package's user.
# Only what the base lacks is installed, so an offline base needs no package mirror.
ARG PACKAGES="nats-server etcd-server etcd-client patroni postgresql-15 redis-server tini iproute2 nftables"
RUN set -eu; missing=; \
    for p in $PACKAGES; do \
      dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; \
    done; \
    if [ -n "$missing" ]; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    # Debian's postgresql-common makes a cluster "main" on install: Patroni makes its own in /data.
    if [ -d /etc/postgresql/15/main ]; then pg_dropcluster 15 main; fi; \
    mkdir -p /data

COPY shortener/ /etc/shortener/
RUN chown -R root:root /etc/shortener && chmod -R go-w,a+rX /etc/shortener

EXPOSE 4222 6222 8222 2379 2380 5432 8008 6379
VOLUME /data
# compose.yaml names the node's entrypoint (nats-, etcd-, pg- or cache-entrypoint).
ENTRYPOINT ["/usr/bin/tini", "--"]
