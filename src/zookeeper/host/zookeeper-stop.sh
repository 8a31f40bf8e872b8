# shellcheck shell=bash
# Stops this ZooKeeper server (it left the ensemble, or the ensemble is being destroyed).
if systemctl list-unit-files zookeeper.service >/dev/null 2>&1; then
  step "stopping zookeeper"
  systemctl disable --now zookeeper >/dev/null 2>&1 || true
fi
