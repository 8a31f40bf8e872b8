# shellcheck shell=bash
# Takes this host out of the swarm; a manager demotes itself first so the others keep their quorum.
state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo inactive)
if [ "$state" = inactive ]; then
  step "not in a swarm"
  exit 0
fi
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] &&
   [ "$(docker node ls --filter role=manager -q | wc -l)" -gt 1 ]; then
  step "demoting this manager"
  docker node demote "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null || true
  wait_for 60 "the demotion to take effect" test "$(docker info --format '{{.Swarm.ControlAvailable}}')" = false
fi
step "leaving the swarm"
docker swarm leave --force >/dev/null
