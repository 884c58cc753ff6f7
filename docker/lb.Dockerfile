# A load balancer node: Debian's HAProxy and keepalived, started by keepalived/lb-entrypoint
# under tini. The files sit at the same paths as in the netns runtime.
#
# BASE_IMAGE: debian:bookworm-slim from a registry, or the local base that `hakit images
# --offline` makes with debootstrap (which already carries the packages below).
# Written for the classic builder too (docker-compose v1 uses it): no BuildKit-only syntax.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# haproxy, keepalived: the node. curl: keepalived's check script and the entrypoint's wait.
# socat: the kit reaches HAProxy's runtime socket through it. iproute2: VIP ownership (`ip addr`).
# tini: PID 1, reaps zombies and forwards SIGTERM to the entrypoint alone (not to the whole
# group), so keepalived still stops before HAProxy. nftables: the demo's partition (F7) cuts VRRP
# between the LBs inside the node's own network namespace; netbase gives it /etc/protocols
# (`ip protocol vrrp`).
# Only what the base lacks is installed, so an offline base needs no package mirror.
# keepalived_script: keepalived runs its check and notify scripts as this user.
ARG PACKAGES="haproxy keepalived curl socat iproute2 tini ca-certificates nftables netbase"
RUN set -eu; missing=; \
    for p in $PACKAGES; do \
      dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; \
    done; \
    if [ -n "$missing" ]; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    id -u keepalived_script >/dev/null 2>&1 || \
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin keepalived_script

COPY haproxy/ /etc/haproxy/
COPY keepalived/ /etc/keepalived/
# Root-owned, not writable by group or others whatever the checkout's umask: keepalived refuses
# scripts its script_user could alter.
RUN chown -R root:root /etc/haproxy /etc/keepalived && chmod -R go-w /etc/haproxy /etc/keepalived

EXPOSE 80 443 8404 8443
# NODE_NAME (lb1|lb2), STATS_USER / STATS_PASSWORD and TLS_PEM (the server certificate and key)
# come from compose.yaml; nothing secret is baked into the image.
ENTRYPOINT ["/usr/bin/tini", "--", "/etc/keepalived/lb-entrypoint"]
