# shellcheck shell=bash
# One step of the rolling restart, which visits the servers in id order and back: restarts this server
# if zookeeper-configure.sh marked it, and waits until it serves the ensemble again (as a follower, or
# as the leader a new election chose). ROUND says which visit: `followers` (on the way up; a server
# that leads waits for the way back), `turn` (the last server, where the way turns: every other
# follower has restarted by then, so it restarts whatever it is) or `leader` (on the way back: what is
# still marked is the server that led). Prints "restarted <mode before>" when it restarted the server.
# With WAIT_FOR_ENSEMBLE (the chain's last step) it then waits until the ensemble has formed, exactly
# one leader and every other server a follower (by `srvr`), and prints a line per server,
# "<address> <mode>".
# Settings: SERVER_ID, ROUND, SERVERS ("id=address ..."), CLIENT_PORT, WAIT_FOR_ENSEMBLE (true, or
# unset); the ensemble's timing comes too, so that a change of it runs the chain again.
: "${SERVER_ID:?}" "${ROUND:?}" "${SERVERS:?}" "${CLIENT_PORT:?}" "${WAIT_FOR_ENSEMBLE:=false}"

# zk_mode [ADDRESS]: a ZooKeeper server's mode by `srvr` (leader, follower, standalone), empty when it
# does not serve.
zk_mode() {
  echo srvr | nc -N -w 3 "${1:-127.0.0.1}" "$CLIENT_PORT" 2>/dev/null | sed -n 's/^Mode: //p' || true
}
pending="$T2_STATE_DIR/zookeeper.restart-pending"
serving() { [[ "$(zk_mode)" =~ ^(leader|follower|standalone)$ ]]; }
if [ -e "$pending" ]; then
  mode=$(zk_mode)
  if [ "$ROUND" = followers ] && [ "$mode" = leader ]; then
    step "server $SERVER_ID leads: it restarts after the followers"
  else
    step "restarting zookeeper (server $SERVER_ID, ${mode:-down})"
    systemctl restart zookeeper
    wait_for 120 "server $SERVER_ID to serve the ensemble again" serving
    rm -f "$pending"
    step "server $SERVER_ID serves again as $(zk_mode)"
    echo "restarted ${mode:-down}"
  fi
fi

[ "$WAIT_FOR_ENSEMBLE" = true ] || exit 0
modes() {
  local server mode
  for server in $SERVERS; do
    mode=$(zk_mode "${server#*=}")
    echo "${server#*=} ${mode:-down}"
  done
}
formed() {
  local lines count
  lines=$(modes)
  count=$(wc -w <<<"$SERVERS")
  if [ "$count" -eq 1 ]; then
    [ "$(grep -c ' standalone$' <<<"$lines" || true)" -eq 1 ]
  else
    [ "$(grep -c ' leader$' <<<"$lines" || true)" -eq 1 ] && [ "$(grep -c ' follower$' <<<"$lines" || true)" -eq $((count - 1)) ]
  fi
}
step "waiting for the ensemble to form"
wait_for 180 "one leader and $(($(wc -w <<<"$SERVERS") - 1)) followers" formed
modes
