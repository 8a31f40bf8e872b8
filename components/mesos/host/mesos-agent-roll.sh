# shellcheck shell=bash
# One visit of the agents' roll, which visits the agents one after another: restarts this agent if
# mesos-daemon.sh marked it (a change it reads at start), and its host's Docker engine if
# docker-install.sh marked that (daemon.json changed), drained first, and waits until the leading master
# shows the agent active again, before the next agent's visit begins; an agent that does not come back
# stops the roll there, naming it. The drain is Mesos's (the operator API's DRAIN_AGENT): no new offers,
# and its tasks get GRACE_SECONDS before they are killed, so that their frameworks run them elsewhere.
# When what Mesos checkpoints of the agent changed (resources, attributes, hostname, port), the agent
# would refuse to recover ("Incompatible agent info"): its checkpointed agent is removed
# (<work_dir>/meta/slaves/latest), and it registers as a new agent, as the Mesos docs prescribe. Else it
# keeps its id, and is reactivated. Prints "restarted <what> <agent id> -> <agent id>" when it restarted
# something (<what>: agent, engine or agent+engine), and "version <Mesos package version>". The pinned
# version (mesos.version) the agent takes while it is stopped.
# Settings: AGENT (the agent's address, its hostname at the masters), WORK_DIR (its work_dir), MASTERS
# ("address:port ..."), GRACE_SECONDS, PENDING and ENGINE_PENDING (the daemon's and the engine's step's
# "restart-pending" line, if they printed one: what makes the roll run again); the operator's credential
# on stdin, "<principal> <secret>".
: "${AGENT:?}" "${WORK_DIR:?}" "${MASTERS:?}" "${GRACE_SECONDS:?}" "${PENDING=}" "${ENGINE_PENDING=}"
pending="$T2_STATE_DIR/mesos-agent.restart-pending"
marked=()
[ ! -s "$pending" ] || marked+=(agent)
[ ! -s "$DOCKER_PENDING" ] || marked+=(engine)
[ "${#marked[@]}" -gt 0 ] || exit 0
read -r principal secret || true
[ -n "${secret:-}" ] || die "no operator credential on standard input"

agent_field() { jq -r --arg h "$AGENT" "[.slaves[] | select(.hostname == \$h and .active)][0] | $1 // empty" "$LEADER_STATE"; }
# The agent's latest registration at the leader (a disconnected or drained one too): its id.
latest_id() { jq -r --arg h "$AGENT" '[.slaves[] | select(.hostname == $h)] | max_by(.reregistered_time // .registered_time // 0) | .id // empty' "$LEADER_STATE"; }
# operator CALL_JSON: a call of the leader's operator API, the credential on curl's config (not its arguments).
operator() {
  curl -sS --fail-with-body --max-time 30 -K <(printf 'user = "%s:%s"\n' "$principal" "$secret") \
    -H 'Content-Type: application/json' -d "$1" "http://$LEADER/api/v1" >/dev/null
}

wait_for 120 "a leading master among $MASTERS" leader_state
before=$(latest_id)
if [ -z "$before" ]; then
  step "agent $AGENT is not registered at the leading master $LEADER: nothing to drain"
else
  # (max_grace_period as a Duration message, {seconds}: the JSON Mesos's parser reads.)
  step "draining agent $AGENT ($before) at $LEADER: its tasks get ${GRACE_SECONDS}s, then are killed"
  operator "{\"type\":\"DRAIN_AGENT\",\"drain_agent\":{\"agent_id\":{\"value\":\"$before\"},\"max_grace_period\":{\"seconds\":$GRACE_SECONDS}}}" ||
    die "the leading master $LEADER refused to drain agent $AGENT ($before)"
  drained() { leader_state && jq -e --arg id "$before" '.slaves[] | select(.id == $id) | .drain_info.state == "DRAINED"' "$LEADER_STATE" >/dev/null; }
  if ! wait_for --quiet $((GRACE_SECONDS + 90)) "agent $AGENT to be drained" drained; then
    die "agent $AGENT ($before) is not drained $((GRACE_SECONDS + 90)) s after the drain began (a task that does not end?); it stays drained at the leader (no new offers) and the roll stops here: pulumi up again resumes it, or REACTIVATE_AGENT gives it back as it is"
  fi
fi

# When the leading master last saw the agent register: a restart has registered when this moves on (or the
# agent registers anew, under another id). The master's clock, so no clock of this host's counts.
since=$(jq -r --arg h "$AGENT" '[.slaves[] | select(.hostname == $h) | (.reregistered_time // .registered_time // 0)] | max // 0' "$LEADER_STATE")
if [ -s "$pending" ]; then
  systemctl stop mesos-agent
  # The pinned version (mesos.version), if the host runs another (the masters' roll installs it first on a
  # host with a master too).
  apt_install_pins_of mesos-agent
  if grep -qxE 'resources|attributes|hostname|port' "$pending"; then
    step "what Mesos checkpointed of agent $AGENT changed ($(paste -sd, "$pending")): it registers as a new agent"
    rm -f "$WORK_DIR/meta/slaves/latest"
  fi
fi
[ ! -s "$DOCKER_PENDING" ] || restart_engine
after=$before
if [ -s "$pending" ]; then
  systemctl start mesos-agent
  registered() { leader_state && jq -e --arg h "$AGENT" --argjson since "$since" '.slaves | any(.hostname == $h and (.reregistered_time // .registered_time // 0) > $since)' "$LEADER_STATE" >/dev/null; }
  if ! wait_for --quiet 180 "agent $AGENT to register again" registered; then
    journalctl -u mesos-agent -n 15 --no-pager -o cat >&2 || true
    die "agent $AGENT did not register again at $LEADER within 180 s after its restart (its log is above); the roll stops here"
  fi
  after=$(jq -r --arg h "$AGENT" --argjson since "$since" '[.slaves[] | select(.hostname == $h and (.reregistered_time // .registered_time // 0) > $since)][0].id' "$LEADER_STATE")
fi
# The same agent is still drained (deactivated) at the master: reactivated. A new one is active as it is.
leader_state || true
if [ -n "$after" ] && jq -e --arg id "$after" '.slaves[] | select(.id == $id) | .deactivated' "$LEADER_STATE" >/dev/null; then
  operator "{\"type\":\"REACTIVATE_AGENT\",\"reactivate_agent\":{\"agent_id\":{\"value\":\"$after\"}}}" ||
    die "the leading master $LEADER refused to reactivate agent $AGENT ($after)"
fi
active() { leader_state && [ "$(agent_field .id)" = "$after" ]; }
wait_for 120 "agent $AGENT to be active at the leading master" active
rm -f "$pending"
step "agent $AGENT is active again ($after)"
echo "restarted $(IFS=+; echo "${marked[*]}") ${before:-unregistered} -> $after"
echo "version $(package_version "$(mesos_package mesos-agent)")"
