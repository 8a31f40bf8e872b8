# shellcheck shell=bash
# npm run check on a Mesos agent, read only: the id of the worker image it holds (or absent).
# Runs after framework/check/probe.sh (`fact`). Settings: IMAGE (the image's name:tag).
: "${IMAGE?}"
fact image "$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || echo absent)"
