# shellcheck shell=bash
# npm run check on a host with a Docker engine, read only: the engine's version (or down, or absent).
# Runs after framework/check/probe.sh (`fact`).
if command -v docker >/dev/null; then
  fact engine "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo down)"
else
  fact engine absent
fi
