# shellcheck shell=bash
# Stops this ZooKeeper server (it left the ensemble, or the ensemble is being destroyed) and removes
# ZooKeeper if this program installed it; the data directory goes either way.
systemctl disable --now zookeeper >/dev/null 2>&1 || true
apt_purge_recorded zookeeper
rm -rf /var/lib/zookeeper /etc/zookeeper
step "done"
