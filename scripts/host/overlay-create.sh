# shellcheck shell=bash
# Creates the attachable overlay network on a swarm manager (if missing); prints its id.
# Settings: NETWORK_NAME, SUBNET (may be empty), ENCRYPTED (true | false).
: "${NETWORK_NAME:?}" "${SUBNET=}" "${ENCRYPTED:?}"
[ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] || die "this host is not a swarm manager"
if docker network inspect "$NETWORK_NAME" >/dev/null 2>&1; then
  actual=$(docker network inspect "$NETWORK_NAME" --format '{{.Driver}} {{.Attachable}} {{range .IPAM.Config}}{{.Subnet}}{{end}}')
  expected="overlay true ${SUBNET}"
  [ "${actual% }" = "${expected% }" ] ||
    die "a network '$NETWORK_NAME' exists as '$actual', not '$expected'; remove it (docker network rm $NETWORK_NAME) or choose another overlay.name"
  step "network $NETWORK_NAME exists"
else
  args=(--driver overlay --attachable)
  [ -n "$SUBNET" ] && args+=(--subnet "$SUBNET")
  [ "$ENCRYPTED" = true ] && args+=(--opt encrypted)
  step "creating overlay network $NETWORK_NAME"
  docker network create "${args[@]}" "$NETWORK_NAME" >/dev/null
fi
docker network inspect "$NETWORK_NAME" --format '{{.Id}}'
