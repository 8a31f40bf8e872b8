# shellcheck shell=bash
# What the steps that restart a host's Docker engine share (the engines' roll, and the Mesos agents' roll,
# which restarts an agent's engine while the agent is drained), put before each of them.
# DOCKER_PENDING: the file docker-install.sh marks a running engine with, a line per reason (daemon.json
# changed; "version <pins>", a new docker.version); mark_engine REASON adds one.
DOCKER_PENDING="$T2_STATE_DIR/docker.restart-pending"
mark_engine() { grep -qxF -- "$1" "$DOCKER_PENDING" 2>/dev/null || echo "$1" >>"$DOCKER_PENDING"; }
swarm_node_drained() { [ -z "$(docker node ps "$1" -q --filter desired-state=running)" ]; }
swarm_node_ready() { [ "$(docker node inspect "$1" -f '{{.Status.State}}')" = ready ]; }
in_swarm() { [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" = active ]; }
# restart_engine: restarts the engine with what daemon.json says now (and the pinned version), and waits until it answers and is
# back in its swarm. A swarm manager's node is drained first, so that its swarm tasks move to other
# nodes, and given back its availability after (a worker's node only a manager can drain: none of this
# program's work runs there as a swarm service). Unmarks the engine.
restart_engine() {
  local swarm node='' availability=''
  swarm=$(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null || true)
  if [ "$swarm" = active ] && [ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ]; then
    node=$(docker info -f '{{.Swarm.NodeID}}')
    availability=$(docker node inspect "$node" -f '{{.Spec.Availability}}')
  fi
  if [ "$availability" = active ]; then
    step "draining swarm node $node"
    docker node update --availability drain "$node" >/dev/null
    wait_for 120 "swarm node $node to be drained of its tasks" swarm_node_drained "$node"
  fi
  # The pinned version, if this program's engine runs another: installed now, on its turn (its service
  # does not restart meanwhile: the restart below does it).
  ! packages_recorded docker || apt_install_pins_of docker
  step "restarting the Docker engine ($(paste -sd, "$DOCKER_PENDING"))"
  systemctl restart docker
  wait_for 120 "docker to answer after its restart" docker info
  if [ "$swarm" = active ]; then
    wait_for 120 "this node to be back in its swarm" in_swarm
  fi
  if [ "$availability" = active ]; then
    wait_for 120 "swarm node $node to be ready" swarm_node_ready "$node"
    docker node update --availability active "$node" >/dev/null
    step "swarm node $node is active again"
  fi
  rm -f "$DOCKER_PENDING"
}
