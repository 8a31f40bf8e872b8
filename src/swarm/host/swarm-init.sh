# shellcheck shell=bash
# Makes this host the swarm's first manager; prints its node id. Settings: ADVERTISE_ADDR.
: "${ADVERTISE_ADDR:?}"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case "$state" in
  active)
    [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] ||
      die "this host is already a swarm worker; make it leave (docker swarm leave) or choose another first manager"
    step "already a swarm manager" ;;
  inactive)
    step "initialising the swarm on $ADVERTISE_ADDR"
    docker swarm init --advertise-addr "$ADVERTISE_ADDR" >/dev/null ;;
  *) die "swarm state is '$state'; expected active or inactive" ;;
esac
docker info --format '{{.Swarm.NodeID}}'
