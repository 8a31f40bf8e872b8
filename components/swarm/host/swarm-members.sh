# shellcheck shell=bash
# Run on the first manager once every node has joined: the swarm's node list is then exactly the
# stack's nodes. Any other node is removed: one dropped from the config (it leaves the swarm afterwards,
# in its own undo: Docker's order for a forced removal), the entry a node left behind when it joined
# again in another role, and a host that is gone for good. A manager is demoted first, so the others
# shrink their Raft membership rather than count it against their quorum. Prints how many nodes remain.
# Settings: NODE_IDS ("ID ...", the stack's nodes).
: "${NODE_IDS:?}"
[ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ] || die "this host is not a swarm manager"
removable() { docker node rm --force "$1" >/dev/null; }
while read -r id addr role; do
  [ -n "$id" ] || continue
  if tr ' ' '\n' <<<"$NODE_IDS" | grep -qxF "$id"; then continue; fi
  if [ "$role" = manager ]; then
    step "demoting node $id ($addr): not one of the stack's nodes"
    docker node demote "$id" >/dev/null
  fi
  step "removing node $id ($addr) from the swarm: not one of the stack's nodes"
  # A demoted manager can be removed once the demotion has reached it (or it is down): seconds.
  wait_for 60 "node $id ($addr) to be removable" removable "$id"
done < <(docker node ls -q | xargs -r docker node inspect --format '{{.ID}} {{.Status.Addr}} {{.Spec.Role}}')
docker node ls -q | wc -l
