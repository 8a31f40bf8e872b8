# shellcheck shell=bash
# What Mesos's steps share, put before each of them (hostScriptsIn's library).
# leader_state: fetches /master/state from the master of MASTERS ("address:port ...") that leads (the
# others redirect to it) into the file $LEADER_STATE, and sets $LEADER to its address; fails when none
# leads. (The scripts read both: hence the capitals, and shellcheck's note that this file alone does not.)
LEADER_STATE=$(mktemp)
trap 'rm -f "$LEADER_STATE"' EXIT
# shellcheck disable=SC2034
LEADER=
leader_state() {
  local master
  for master in ${MASTERS:?}; do
    if [ "$(curl -s -o "$LEADER_STATE" -w '%{http_code}' --max-time 5 "http://$master/master/state")" = 200 ]; then
      # shellcheck disable=SC2034
      LEADER=$master
      return 0
    fi
  done
  return 1
}
