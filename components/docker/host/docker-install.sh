# shellcheck shell=bash
# Installs the Docker engine, writes daemon.json, lets the SSH users reach the socket, and prints the
# engine version. Its packages (docker.io: the engine; docker-ce: what adding Docker's repository takes)
# the host's setup step installed already, unless this step was replaced.
# Settings: DOCKER_SOURCE (docker.io | docker-ce), DAEMON_JSON, DOCKER_USERS (space separated).
: "${DOCKER_SOURCE:?}" "${DAEMON_JSON:?}" "${DOCKER_USERS:=}"

install_docker_ce() {
  # Docker's own apt repository, as Docker documents it for Debian and Ubuntu.
  apt_install_wanted docker
  # shellcheck disable=SC1091
  . /etc/os-release
  install -d -m 0755 /etc/apt/keyrings
  if [ ! -s /etc/apt/keyrings/docker.asc ]; then
    step "adding Docker's apt repository"
    curl -fsSL "https://download.docker.com/linux/${ID}/gpg" -o /etc/apt/keyrings/docker.asc
  fi
  if echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/${ID} ${VERSION_CODENAME} stable" |
    write_file /etc/apt/sources.list.d/docker.list 0644; then
    apt_update
  fi
  apt_install_recorded docker docker-ce docker-ce-cli containerd.io
}

# An engine this program installs is recorded before the install (by this script, or its packages by the
# host's packages step), so that destroy removes it (and only then), and an install cut short is
# finished by the next run rather than taken for an engine not ours.
if [ -f "$T2_STATE_DIR/docker.installed" ] || packages_recorded docker || ! command -v dockerd >/dev/null 2>&1; then
  case "$DOCKER_SOURCE" in
    docker.io | docker-ce) echo "$DOCKER_SOURCE" >"$T2_STATE_DIR/docker.installed" ;;
    *) die "unknown DOCKER_SOURCE '$DOCKER_SOURCE' (docker.io or docker-ce)" ;;
  esac
  case "$DOCKER_SOURCE" in
    docker.io) apt_install_wanted docker ;;
    docker-ce) install_docker_ce ;;
  esac
fi

if printf '%s\n' "$DAEMON_JSON" | write_file /etc/docker/daemon.json 0644; then
  step "daemon.json changed"
  touch "$T2_STATE_DIR/docker.daemon-json"
  notify docker
fi
run_handlers
systemctl enable --now docker >/dev/null 2>&1
wait_for 120 "docker to answer" docker info

for user in $DOCKER_USERS; do
  id -nG "$user" | tr ' ' '\n' | grep -qx docker || usermod -aG docker "$user"
done

step "engine ready"
docker version --format '{{.Server.Version}}'
