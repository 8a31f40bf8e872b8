# shellcheck shell=bash
# On a swarm manager, around a visit that may restart a swarm worker's engine (a worker cannot drain its own
# node): AVAILABILITY=drain drains the worker's node when its engine is marked, so that its swarm tasks move
# to other nodes first, and prints "drained <node id> <time>"; AVAILABILITY=active, after the visit, makes
# the node it drained active again once the node is ready. A node an operator set to drain or pause is
# left as it is.
# Settings: NODE_ADDR (the worker's address, which it joined with), AVAILABILITY (drain | active), WHY (drain:
# what the worker's engine step printed last that the roll takes, with "restart-pending <time>" when it left
# the engine marked; active: the drain's output).
: "${NODE_ADDR:?}" "${AVAILABILITY:?}" "${WHY=}"
case "$AVAILABILITY" in
  drain)
    [[ $WHY == *restart-pending* ]] || exit 0
    node=$(docker node ls -q | xargs -r docker node inspect -f '{{.ID}} {{.Status.Addr}}' | awk -v addr="$NODE_ADDR" '$2 == addr { print $1; exit }')
    if [ -z "$node" ]; then
      step "no swarm node has the address $NODE_ADDR: nothing to drain"
      exit 0
    fi
    availability=$(docker node inspect "$node" -f '{{.Spec.Availability}}')
    if [ "$availability" != active ]; then
      step "swarm node $node ($NODE_ADDR) is $availability already, by someone else's doing: left so"
      exit 0
    fi
    drain_swarm_node "$node"
    echo "drained $node $(date +%s%N)"
    ;;
  active)
    read -r said node _ <<<"$WHY" || true
    [ "${said:-}" = drained ] || exit 0
    activate_swarm_node "$node"
    ;;
  *) die "unknown AVAILABILITY '$AVAILABILITY' (drain or active)" ;;
esac
