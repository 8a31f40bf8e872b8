# shellcheck shell=bash
# Removes the overlay network. Settings: NETWORK_NAME.
: "${NETWORK_NAME:?}"
if ! command -v docker >/dev/null 2>&1 || ! docker network inspect "$NETWORK_NAME" >/dev/null 2>&1; then
  step "network $NETWORK_NAME is not there"
  exit 0
fi
step "removing overlay network $NETWORK_NAME"
docker network rm "$NETWORK_NAME" >/dev/null ||
  die "network $NETWORK_NAME is still in use; stop the containers attached to it (docker network inspect $NETWORK_NAME) and run again"
