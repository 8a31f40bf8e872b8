# shellcheck shell=bash
# Waits until a master leads and its /master/state shows every agent activated (by hostname); prints
# the leader's URL. Settings: MASTERS ("address ..."), AGENTS ("hostname ..."; empty: masters only).
: "${MASTERS:?}" "${AGENTS?}"
state=$(mktemp)
trap 'rm -f "$state"' EXIT
leader=
find_leader() {
  local address
  for address in $MASTERS; do
    # Only the leader answers /master/state itself; the others redirect to it.
    if [ "$(curl -s -o "$state" -w '%{http_code}' --max-time 5 "http://$address:5050/master/state")" = 200 ]; then
      leader=$address
      return 0
    fi
  done
  return 1
}
all_active() {
  local agent
  find_leader || return 1
  for agent in $AGENTS; do
    jq -e --arg h "$agent" '.slaves | any(.hostname == $h and .active)' "$state" >/dev/null || return 1
  done
}
step "waiting for a leading master with agents: ${AGENTS:-none}"
wait_for 180 "a leading master whose /master/state shows agents ${AGENTS:-(none)} active" all_active
step "leader $leader: $(jq -r '.activated_slaves' "$state") agents active"
echo "http://$leader:5050"
