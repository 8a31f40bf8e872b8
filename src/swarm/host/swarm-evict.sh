# shellcheck shell=bash
# Run on the first manager once a node has left: removes that node from the swarm's node list.
# Settings: NODE_ADDR (the departed node's address).
: "${NODE_ADDR:?}"
nodes_at_addr() {
  docker node ls -q | xargs -r docker node inspect --format '{{.ID}} {{.Status.Addr}} {{.Status.State}} {{.Spec.Role}}' |
    awk -v addr="$NODE_ADDR" '$2 == addr'
}
node_down() { [ "$(docker node inspect --format '{{.Status.State}}' "$1")" = down ]; }
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" != true ]; then
  step "this host is no longer a swarm manager; nothing to evict"
  exit 0
fi
while read -r id _ _ role; do
  [ -n "$id" ] || continue
  if [ "$role" = manager ]; then
    step "demoting $NODE_ADDR ($id)"
    docker node demote "$id" >/dev/null || true
  fi
  # A node that left shows `down` after a few heartbeats; `rm --force` removes it either way.
  wait_for --quiet 20 "node $id to show down" node_down "$id" || true
  step "removing node $NODE_ADDR ($id) from the swarm"
  docker node rm --force "$id" >/dev/null
done < <(nodes_at_addr)
