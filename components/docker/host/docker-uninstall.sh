# shellcheck shell=bash
# Undoes docker-install.sh: takes the users it added out of the docker group, removes the engine and its
# data if this program installed it, else only the daemon.json it wrote; a daemon.json the host had before
# is put back. An engine that was there before is left running.
if [ -f "$T2_STATE_DIR/docker.group-added" ]; then
  while read -r user; do
    if id -nG "$user" 2>/dev/null | tr ' ' '\n' | grep -qx docker; then
      step "taking $user out of the docker group"
      gpasswd -d "$user" docker >/dev/null
    fi
  done <"$T2_STATE_DIR/docker.group-added"
  rm -f "$T2_STATE_DIR/docker.group-added"
fi
before="$T2_STATE_DIR/docker.daemon-json.before"
put_back_daemon_json() {
  step "putting back the daemon.json the host had"
  mkdir -p /etc/docker
  cp -p "$before" /etc/docker/daemon.json
}
if [ -f "$T2_STATE_DIR/docker.installed" ]; then
  source=$(cat "$T2_STATE_DIR/docker.installed")
  step "removing the Docker engine ($source)"
  systemctl disable --now docker.socket docker containerd >/dev/null 2>&1 || true
  # With docker-ce, the purge removes Docker's repository too (its key and source line).
  apt_purge_recorded docker
  # /var/lib/docker may be a mount point: empty it rather than remove it.
  for dir in /var/lib/docker /var/lib/containerd /etc/docker; do
    [ -d "$dir" ] && find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  done
  if [ -f "$before" ]; then
    put_back_daemon_json
  else
    rmdir /etc/docker 2>/dev/null || true
  fi
  rm -f "$T2_STATE_DIR/docker.installed" "$T2_STATE_DIR/docker.daemon-json" "$before"
elif [ -f "$T2_STATE_DIR/docker.daemon-json" ]; then
  if [ -f "$before" ]; then
    put_back_daemon_json
  else
    step "removing daemon.json"
    rm -f /etc/docker/daemon.json
  fi
  rm -f "$T2_STATE_DIR/docker.daemon-json" "$before"
  systemctl restart docker
fi
rm -f "$DOCKER_PENDING"
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
