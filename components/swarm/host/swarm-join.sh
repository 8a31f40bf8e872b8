# shellcheck shell=bash
# Joins this host to the swarm with the token read from stdin; prints its node id.
# Settings: JOIN_ADDRESS (the first manager's address:port), ADVERTISE_ADDR, ROLE (worker | manager).
: "${JOIN_ADDRESS:?}" "${ADVERTISE_ADDR:?}" "${ROLE:?}"
swarm_active() { [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ]; }
IFS= read -r token || true
[ -n "$token" ] || die "no join token on standard input"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" = active ]; then
  step "already in the swarm; left alone"
else
  [ "$state" = inactive ] || die "swarm state is '$state'; expected active or inactive"
  step "joining the swarm at $JOIN_ADDRESS as $ROLE"
  # The token reaches docker only as this process's argument: never Pulumi's command text or logs.
  docker swarm join --token "$token" --advertise-addr "$ADVERTISE_ADDR" "$JOIN_ADDRESS" >/dev/null
fi
wait_for 60 "the swarm to report this node active" swarm_active
docker info --format '{{.Swarm.NodeID}}'
