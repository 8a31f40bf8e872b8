# shellcheck shell=bash
# Removes ZooKeeper and its data if this program installed it; the data directory goes either way.
systemctl disable --now zookeeper >/dev/null 2>&1 || true
apt_purge_recorded zookeeper
rm -rf /var/lib/zookeeper /etc/zookeeper
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
