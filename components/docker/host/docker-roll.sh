# shellcheck shell=bash
# One visit of the engines' roll, which visits the hosts one after another, the swarm's managers last
# and up and back among them so that the one that leads the swarm restarts last of all
# (framework/remote/rolling.ts): restarts this host's engine if docker-install.sh marked it (daemon.json
# changed), its swarm node drained first where it can be (restart_engine), and waits until it serves
# again before the next visit begins. A Mesos agent's engine the agents' roll restarted already, drained
# at the masters. Prints "restarted" when it restarted the engine.
# Settings: ROUND (followers: an engine whose node leads the swarm waits for the way back | turn |
# leader), PENDING (the engine step's "restart-pending" line, if it printed one: what makes the roll run
# again).
: "${ROUND:?}" "${PENDING=}"
[ -s "$DOCKER_PENDING" ] || exit 0
if [ "$ROUND" = followers ] && [ "$(docker node inspect self -f '{{.ManagerStatus.Leader}}' 2>/dev/null)" = true ]; then
  step "this node leads the swarm's managers: its engine restarts after theirs"
  exit 0
fi
restart_engine
step "the engine serves again"
echo restarted
