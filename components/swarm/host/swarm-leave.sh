# shellcheck shell=bash
# Takes this host out of the swarm. A manager demotes itself first, so the remaining managers shrink
# their Raft membership instead of counting a lost member against their quorum. (A node dropped from
# the config has been demoted and removed from the node list by then: swarm-members.sh.)
not_a_manager() { [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != true ]; }
state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo inactive)
if [ "$state" = inactive ]; then
  step "not in a swarm"
  exit 0
fi
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] &&
   [ "$(docker node ls --filter role=manager -q | wc -l)" -gt 1 ]; then
  step "demoting this manager"
  docker node demote "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null || true
  # The demotion is committed when the command returns; the local manager takes up to a minute to
  # notice. A short grace period, then leave.
  wait_for --quiet 15 "this node to notice its demotion" not_a_manager || true
fi
step "leaving the swarm"
docker swarm leave --force >/dev/null
