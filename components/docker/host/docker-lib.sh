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
# drain_swarm_node NODE / activate_swarm_node NODE (on a manager): the node's swarm tasks move to other nodes
# (and back, once it is ready again) before and after its engine restarts.
drain_swarm_node() {
  step "draining swarm node $1"
  docker node update --availability drain "$1" >/dev/null
  wait_for 120 "swarm node $1 to be drained of its tasks" swarm_node_drained "$1"
}
activate_swarm_node() {
  wait_for 120 "swarm node $1 to be ready" swarm_node_ready "$1"
  docker node update --availability active "$1" >/dev/null
  step "swarm node $1 is active again"
}
# restart_engine: restarts the engine with what daemon.json says now (and the pinned version), and waits until it answers and is
# back in its swarm. A swarm manager's node drains itself first, and is given back its availability after; a
# worker's node only a manager can drain: the roll's steps on a manager do it around the worker's visit
# (swarm-node-availability.sh). Unmarks the engine, and prints "engine <its version>" (the stack's hosts output
# takes it).
restart_engine() {
  local swarm node='' availability=''
  swarm=$(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null || true)
  if [ "$swarm" = active ] && [ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ]; then
    node=$(docker info -f '{{.Swarm.NodeID}}')
    availability=$(docker node inspect "$node" -f '{{.Spec.Availability}}')
  fi
  [ "$availability" != active ] || drain_swarm_node "$node"
  # The pinned version, if this program's engine runs another: installed now, on its turn (its service
  # does not restart meanwhile: the restart below does it).
  ! packages_recorded docker || apt_install_pins_of docker
  step "restarting the Docker engine ($(paste -sd, "$DOCKER_PENDING"))"
  systemctl restart docker
  wait_for 120 "docker to answer after its restart" docker info
  if [ "$swarm" = active ]; then
    wait_for 120 "this node to be back in its swarm" in_swarm
  fi
  [ "$availability" != active ] || activate_swarm_node "$node"
  rm -f "$DOCKER_PENDING"
  echo "engine $(docker version --format '{{.Server.Version}}')"
}
