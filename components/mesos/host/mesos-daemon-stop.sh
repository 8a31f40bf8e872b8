# shellcheck shell=bash
# Stops and disables a Mesos master or agent and removes its flags, credentials and work directory (as its
# flag files name them), and the Mesos package if this program installed it for this daemon (and the
# other one on this host, if any, does not still use it); the last daemon on the host takes /etc/mesos
# with it. Settings: SERVICE, FLAGS_DIR, ZK_CREDENTIALS_FILE (a master's ZooKeeper URL with its secret).
: "${SERVICE:?}" "${FLAGS_DIR:?}" "${ZK_CREDENTIALS_FILE:=}"
step "stopping $SERVICE"
systemctl disable --now "$SERVICE" >/dev/null 2>&1 || true
# The files of credentials its flags name: the master's credentials, the agent's credential and
# http_credentials (mesos-daemon.sh wrote them).
for flag in credentials credential http_credentials; do
  credential_file=$(cat "$FLAGS_DIR/$flag" 2>/dev/null || true)
  [ -z "$credential_file" ] || rm -f "$credential_file"
done
work_dir=$(cat "$FLAGS_DIR/work_dir" 2>/dev/null || true)
rm -f "$T2_STATE_DIR/$SERVICE.flags" "$T2_STATE_DIR/$SERVICE.restart-pending" "$T2_STATE_DIR/$SERVICE.zk-url"
[ -z "$ZK_CREDENTIALS_FILE" ] || rm -f "$ZK_CREDENTIALS_FILE"
rm -rf --one-file-system "$FLAGS_DIR"
[ -z "$work_dir" ] || rm -rf --one-file-system "$work_dir"
apt_purge_recorded "$SERVICE"
other=mesos-master
[ "$SERVICE" != mesos-master ] || other=mesos-agent
if [ ! -f "$T2_STATE_DIR/$other.flags" ]; then
  rm -rf /etc/mesos
  [ -z "$work_dir" ] || rmdir "$(dirname "$work_dir")" 2>/dev/null || true
fi
step "done"
