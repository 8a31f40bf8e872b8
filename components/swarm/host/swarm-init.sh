# shellcheck shell=bash
# Makes this host the swarm's first manager. Prints the swarm's join tokens as JSON
# ({"worker": ..., "manager": ...}; the caller marks stdout secret and shows none of it), then on the
# last line this node's id. Settings: ADVERTISE_ADDR.
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
# Everything read first, printed last: a failure here must not leave the tokens on stdout, which a
# failed step's error message shows.
worker=$(docker swarm join-token -q worker)
manager=$(docker swarm join-token -q manager)
node_id=$(docker info --format '{{.Swarm.NodeID}}')
if [ -z "$worker" ] || [ -z "$manager" ] || [ -z "$node_id" ]; then
  die "docker did not tell the swarm's join tokens and this node's id"
fi
printf '{"worker":"%s","manager":"%s"}\n%s\n' "$worker" "$manager" "$node_id"
