# shellcheck shell=bash
# npm run check on a host with a Docker engine, read only: the engine's version (or down, or absent), and
# its package's (docker-ce's, else docker.io's).
# Runs after framework/check/probe.sh (`fact`).
if command -v docker >/dev/null; then
  fact engine "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo down)"
else
  fact engine absent
fi
fact package "$(dpkg-query -W -f='${Version}' docker-ce 2>/dev/null || dpkg-query -W -f='${Version}' docker.io 2>/dev/null || echo absent)"
