#!/usr/bin/env bash
# CI, the Docker part (called by .ci/run after the netns setup): a Docker engine, compose and
# debootstrap from Debian, dockerd started in the background when none answers, then the kit's
# images built without an image registry (base images from debootstrap, made once per machine).
# Prints how long each part took. Needs `npm run build` done.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

t0=$SECONDS
node dist/scripts/cli.js setup --docker
t1=$SECONDS
echo "docker: engine ready in $((t1 - t0)) s ($(docker version --format '{{.Server.Version}}' 2>/dev/null), storage $(docker info --format '{{.Driver}}' 2>/dev/null))"

node dist/scripts/cli.js images --offline
t2=$SECONDS
echo "docker: images built in $((t2 - t1)) s"
