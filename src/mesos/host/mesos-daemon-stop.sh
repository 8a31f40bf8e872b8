# shellcheck shell=bash
# Stops and disables a Mesos master or agent and removes its flags, credential and work directory.
# Settings: SERVICE, FLAGS_DIR, CREDENTIAL_FILE, WORK_DIR.
: "${SERVICE:?}" "${FLAGS_DIR:?}" "${CREDENTIAL_FILE:?}" "${WORK_DIR:?}"
step "stopping $SERVICE"
systemctl disable --now "$SERVICE" >/dev/null 2>&1 || true
owned="$T2_STATE_DIR/$SERVICE.flags"
if [ -f "$owned" ]; then
  while IFS= read -r name; do
    [ -z "$name" ] || rm -f "${FLAGS_DIR:?}/$name"
  done <"$owned"
  rm -f "$owned"
fi
rm -f "$CREDENTIAL_FILE"
rm -rf --one-file-system "$WORK_DIR"
step "done"
