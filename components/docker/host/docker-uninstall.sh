# shellcheck shell=bash
# Undoes docker-install.sh: removes the engine and its data if this program installed it, else only
# the daemon.json it wrote. An engine that was there before is left running.
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
  rmdir /etc/docker 2>/dev/null || true
  rm -f "$T2_STATE_DIR/docker.installed" "$T2_STATE_DIR/docker.daemon-json"
elif [ -f "$T2_STATE_DIR/docker.daemon-json" ]; then
  step "removing daemon.json"
  rm -f /etc/docker/daemon.json "$T2_STATE_DIR/docker.daemon-json"
  systemctl restart docker
fi
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
