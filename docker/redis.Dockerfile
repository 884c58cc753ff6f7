# A data node: Debian's redis-server and redis-sentinel, started by redis/redis-entrypoint under
# tini. The files sit at the same paths as in the netns runtime; data in the /data volume.
#
# BASE_IMAGE: debian:bookworm-slim from a registry, or the local base that `hakit images
# --offline` makes with debootstrap (which already carries the packages below).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# redis-server, redis-sentinel (redis-tools with them): the node. tini: PID 1, reaps zombies and
# forwards SIGTERM (the planned switch) and SIGUSR1 (restart the Sentinel) to the entrypoint.
# iproute2: a hard kill takes the link down first (a host death is silent). nftables: R5 cuts the
# primary off from the others inside its own network namespace.
# Only what the base lacks is installed, so an offline base needs no package mirror.
ARG PACKAGES="redis-server redis-sentinel tini iproute2 nftables"
RUN set -eu; missing=; \
    for p in $PACKAGES; do \
      dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; \
    done; \
    if [ -n "$missing" ]; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    mkdir -p /data && chown redis:redis /data

COPY redis/ /etc/redis/
# Debian's package leaves /etc/redis as redis:redis 2750; ours is root's and readable by the redis
# user, who reads the shared configs the entrypoint's files include.
RUN chown -R root:root /etc/redis && chmod -R go-w,a+rX /etc/redis

EXPOSE 6379 26379
VOLUME /data
ENTRYPOINT ["/usr/bin/tini", "--", "/etc/redis/redis-entrypoint"]
