# shellcheck shell=bash
# Removes the Mesos package (if this program installed it), its repository and every Mesos flag file.
# Settings: AGENT_FLAGS_DIR, WORK_DIR (the parent of the masters' and agents' work directories).
: "${AGENT_FLAGS_DIR:?}" "${WORK_DIR:?}"
for service in mesos-master mesos-agent; do
  systemctl disable --now "$service" >/dev/null 2>&1 || true
done
apt_purge_recorded mesos
rm -f /etc/apt/sources.list.d/twister2-mesos.list /etc/apt/keyrings/twister2-mesos.asc
rm -rf /etc/mesos /etc/mesos-master "$AGENT_FLAGS_DIR"
rmdir "$WORK_DIR" 2>/dev/null || true
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
