# shellcheck shell=bash
# Installs the Docker engine, writes daemon.json, lets the SSH users reach the socket (the docker group),
# and prints the engine version. The first daemon.json this writes the engine starts with; a change of it
# after that, or a new pinned version (docker.version), marks the running engine rather than restarting
# it, and the engines' roll restarts the marked engines one host at a time, drained first, installing the
# pin first ("restart-pending <time>" says it marked it). Its packages
# (docker.io, or docker-ce, docker-ce-cli and containerd.io with Docker's repository) the host's setup step
# installed already, unless this step was replaced.
# Settings: DOCKER_SOURCE (docker.io | docker-ce), DAEMON_JSON, DOCKER_USERS (space separated).
: "${DOCKER_SOURCE:?}" "${DAEMON_JSON:?}" "${DOCKER_USERS:=}"
case "$DOCKER_SOURCE" in
  docker.io | docker-ce) ;;
  *) die "unknown DOCKER_SOURCE '$DOCKER_SOURCE' (docker.io or docker-ce)" ;;
esac

# An engine this program installs is recorded before the install (by this script, or its packages by the
# host's packages step), so that destroy removes it (and only then), and an install cut short is
# finished by the next run rather than taken for an engine not ours.
if [ -f "$T2_STATE_DIR/docker.installed" ] || packages_recorded docker || ! command -v dockerd >/dev/null 2>&1; then
  installed=$(cat "$T2_STATE_DIR/docker.installed" 2>/dev/null || echo "$DOCKER_SOURCE")
  # Two engines side by side would fight over the socket and the containers: the one here goes first.
  [ "$installed" = "$DOCKER_SOURCE" ] || die "this host's engine is $installed, installed by this program; it does not switch" \
    "an engine to $DOCKER_SOURCE in place. Take the host's container roles away (pulumi up removes the engine and what" \
    "runs on it), then give them back with docker.source $DOCKER_SOURCE"
  echo "$DOCKER_SOURCE" >"$T2_STATE_DIR/docker.installed"
  apt_install_wanted docker
fi

# A daemon.json the host had before this program first wrote one is kept aside, for destroy to put back.
if [ ! -e "$T2_STATE_DIR/docker.daemon-json" ] && [ ! -e "$T2_STATE_DIR/docker.daemon-json.before" ] && [ -f /etc/docker/daemon.json ]; then
  cp -p /etc/docker/daemon.json "$T2_STATE_DIR/docker.daemon-json.before"
fi
configured=false
[ -e "$T2_STATE_DIR/docker.daemon-json" ] && systemctl is-active --quiet docker && configured=true
# The pinned version (docker.version), where this program's engine runs another: installed in the
# engines' roll, on its host's turn, if the engine runs configured; at once otherwise.
pins=()
packages_recorded docker && mapfile -t pins < <(pins_differing docker)
if [ "${#pins[@]}" -gt 0 ] && [ "$configured" = true ]; then
  mark_engine "version ${pins[*]}"
elif [ "${#pins[@]}" -gt 0 ]; then
  apt_install_pins "${pins[@]}"
  notify docker
fi
if printf '%s\n' "$DAEMON_JSON" | write_file /etc/docker/daemon.json 0644; then
  touch "$T2_STATE_DIR/docker.daemon-json"
  if [ "$configured" = true ]; then
    mark_engine daemon.json
  else
    step "daemon.json changed"
    notify docker
  fi
fi
run_handlers
systemctl enable --now docker >/dev/null 2>&1
wait_for 120 "docker to answer" docker info
# Started here with what daemon.json says now: nothing is left for the roll.
[ "$configured" = true ] || rm -f "$DOCKER_PENDING"
if [ -s "$DOCKER_PENDING" ]; then
  step "the running engine is marked ($(paste -sd, "$DOCKER_PENDING")): it restarts in the engines' roll, one host at a time, drained first"
  # A line of its own each time: the roll's step takes it as a setting, so that it runs.
  echo "restart-pending $(date +%s%N)"
fi

# Each user this adds to the group is recorded (before it is added), for destroy to take out again.
for user in $DOCKER_USERS; do
  id -nG "$user" | tr ' ' '\n' | grep -qx docker && continue
  grep -qxF -- "$user" "$T2_STATE_DIR/docker.group-added" 2>/dev/null || echo "$user" >>"$T2_STATE_DIR/docker.group-added"
  usermod -aG docker "$user"
done

step "engine ready"
docker version --format '{{.Server.Version}}'
