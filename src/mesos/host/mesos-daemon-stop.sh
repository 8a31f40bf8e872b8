# shellcheck shell=bash
# Stops and disables a Mesos master or agent and removes its flags, credential and work directory, and
# the Mesos package if this program installed it for this daemon (and the other one on this host, if
# any, does not still use it); the last daemon on the host takes /etc/mesos with it.
# Settings: SERVICE, FLAGS_DIR, CREDENTIAL_FILE, WORK_DIR.
: "${SERVICE:?}" "${FLAGS_DIR:?}" "${CREDENTIAL_FILE:?}" "${WORK_DIR:?}"
step "stopping $SERVICE"
systemctl disable --now "$SERVICE" >/dev/null 2>&1 || true
rm -f "$T2_STATE_DIR/$SERVICE.flags" "$CREDENTIAL_FILE"
rm -rf --one-file-system "$FLAGS_DIR" "$WORK_DIR"
apt_purge_recorded "$SERVICE"
other=mesos-master
[ "$SERVICE" != mesos-master ] || other=mesos-agent
if [ ! -f "$T2_STATE_DIR/$other.flags" ]; then
  rm -rf /etc/mesos
  rmdir "$(dirname "$WORK_DIR")" 2>/dev/null || true
fi
step "done"
