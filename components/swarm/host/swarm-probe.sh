# shellcheck shell=bash
# npm run check on a swarm node, read only: its local node state; on the first manager also every node
# as the swarm lists it and the overlay network. Runs after framework/check/probe.sh (`fact`).
# Settings: FIRST_MANAGER (true on the first manager), OVERLAY_NAME (the overlay network; may be empty).
: "${FIRST_MANAGER?}" "${OVERLAY_NAME?}"
fact state "$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}' 2>/dev/null || echo down)"
if [ "$FIRST_MANAGER" = true ]; then
  while read -r id; do
    [ -n "$id" ] || continue
    fact node "$(docker node inspect -f '{{.Status.Addr}} {{.Status.State}} {{.Spec.Role}} {{.Spec.Availability}} {{.ID}}' "$id")"
  done < <(docker node ls -q 2>/dev/null)
  if [ -n "$OVERLAY_NAME" ]; then
    fact overlay "$(docker network inspect -f '{{.Driver}} {{.Attachable}} {{.Scope}}' "$OVERLAY_NAME" 2>/dev/null || echo absent)"
  fi
fi
