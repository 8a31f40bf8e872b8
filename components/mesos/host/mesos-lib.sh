# shellcheck shell=bash
# What Mesos's steps share, put before each of them (hostScriptsIn's library).
# leader_state: fetches /master/state from the master of MASTERS ("address:port ...") that leads (the
# others redirect to it) into the file $LEADER_STATE, and sets $LEADER to its address; fails when none
# leads, or when more than one says it does (for a moment, while an election settles: the caller waits on).
# (The scripts read both: hence the capitals, and shellcheck's note that this file alone does not.)
LEADER_STATE=$(mktemp)
trap 'rm -f "$LEADER_STATE"' EXIT
# shellcheck disable=SC2034
LEADER=
leader_state() {
  local master leaders=() state
  state=$(mktemp)
  for master in ${MASTERS:?}; do
    if [ "$(curl -s -o "$state" -w '%{http_code}' --connect-timeout 2 --max-time 5 "http://$master/master/state")" = 200 ]; then
      leaders+=("$master")
      [ "${#leaders[@]}" -gt 1 ] || cp "$state" "$LEADER_STATE"
    fi
  done
  rm -f "$state"
  [ "${#leaders[@]}" -eq 1 ] || return 1
  # shellcheck disable=SC2034
  LEADER=${leaders[0]}
}
# mesos_package SERVICE: the name of the Mesos package that the host's setup step lists for SERVICE
# (mesos-master | mesos-agent), without its pinned version.
mesos_package() {
  local package
  read -r package _ <"$T2_STATE_DIR/$1.wants"
  echo "${package%%=*}"
}
