# shellcheck shell=bash
# One step of the rolling restart, which visits the servers in id order and back: restarts this server
# if zookeeper-configure.sh marked it, and waits until it serves the ensemble again (as a follower, or
# as the leader a new election chose); every visit ends with its server serving. ROUND says which
# visit: `followers` (on the way up; a server that leads waits for the way back), `turn` (the last
# server, where the way turns: every other follower has restarted by then, so it restarts whatever it
# is) or `leader` (on the way back: what is still marked is the server that led). Prints "restarted
# <mode before>" and "version <version>" when it restarted the server, after installing the pinned
# version if it ran another (zookeeper.version).
# With WAIT_FOR_ENSEMBLE (the chain's last step) it then waits until the ensemble has formed, exactly
# one leader and every other server a follower (by `srvr`), and prints a line per server,
# "<address> <mode>".
# Settings: SERVER_ID, ROUND, SERVERS ("id=address ..."), CLIENT_PORT, WAIT_FOR_ENSEMBLE (true, or
# unset); the ensemble's timing and VERSION come too, so that a change of them runs the chain again.
: "${SERVER_ID:?}" "${ROUND:?}" "${SERVERS:?}" "${CLIENT_PORT:?}" "${WAIT_FOR_ENSEMBLE:=false}"

# zk_srvr [ADDRESS]: a ZooKeeper server's answer to `srvr`, empty when it does not answer.
zk_srvr() {
  echo srvr | nc -N -w 3 "${1:-127.0.0.1}" "$CLIENT_PORT" 2>/dev/null || true
}
# zk_mode [ADDRESS]: its mode (leader, follower, standalone), empty when it does not serve.
zk_mode() {
  zk_srvr "$@" | sed -n 's/^Mode: //p'
}
pending="$T2_STATE_DIR/zookeeper.restart-pending"
serving() { [[ "$(zk_mode)" =~ ^(leader|follower|standalone)$ ]]; }
# The ensemble needs this server running. Its configure step is done (the chain comes after it), so a
# server that is not running was stopped since, outside any run (say, by an undo a killed destroy left
# going): it starts again. One that is gone, the chain cannot bring back: its configure step must run.
if ! grep -q '^# Written by twister2-cluster' /etc/zookeeper/conf/zoo.cfg 2>/dev/null || ! package_installed zookeeper; then
  die "ZooKeeper is not installed and configured here (server $SERVER_ID), though its configure step is done: something undid it outside pulumi; npm run check names the repair (replace the zookeeper-<host>-server step)"
fi
if [ ! -e "$pending" ] && ! systemctl is-active --quiet zookeeper; then
  step "zookeeper was stopped (server $SERVER_ID); starting it"
  systemctl enable zookeeper >/dev/null 2>&1
  systemctl start zookeeper
fi
if [ -e "$pending" ]; then
  mode=$(zk_mode)
  if [ "$ROUND" = followers ] && [ "$mode" = leader ]; then
    step "server $SERVER_ID leads: it restarts after the followers"
  else
    # The pinned version (zookeeper.version), if this server does not run it yet: installed on its turn.
    apt_install_pins_of zookeeper
    step "restarting zookeeper (server $SERVER_ID, ${mode:-down})"
    systemctl restart zookeeper
    wait_for 120 "server $SERVER_ID to serve the ensemble again" serving
    rm -f "$pending"
    step "server $SERVER_ID serves again as $(zk_mode)"
    echo "restarted ${mode:-down}"
    echo "version $(package_version zookeeper)"
  fi
fi

# Every visit ends with its server serving. One whose data is from before its ensemble was made anew
# (a majority of servers started empty, as after a destroy cut short, while this one kept its data)
# may never do so by itself: once the new servers have chosen a leader, ZooKeeper refuses to follow a
# leader of an older epoch than the one it accepted (Debian's ZooKeeper logs nothing of it) and stays
# out. Its data, which the ensemble no longer has, is then kept aside, and it starts empty and takes
# the ensemble's data from the leader.
data=/var/lib/zookeeper/version-2
# leader_epoch: the epoch of the ensemble's leader (the high half of its zxid, by `srvr`), if one leads.
leader_epoch() {
  local server zxid
  for server in $SERVERS; do
    zxid=$(zk_srvr "${server#*=}" | awk '/^Mode: leader$/ { leads = 1 } /^Zxid: / { zxid = $2 } END { if (leads) print zxid }')
    if [[ "$zxid" =~ ^0x[0-9a-fA-F]+$ ]]; then
      echo $((zxid >> 32))
      return 0
    fi
  done
  return 1
}
# stale: this server accepted a later epoch than the leader's, so it cannot follow it. Keeps both in
# `accepted` and `epoch` for the message: asked again, a leader may not answer for a moment.
stale() {
  accepted=$(cat "$data/acceptedEpoch" 2>/dev/null) && [[ "$accepted" =~ ^[0-9]+$ ]] || return 1
  epoch=$(leader_epoch) || return 1
  [ "$accepted" -gt "$epoch" ]
}
# Waits by hand rather than with wait_for: a server whose election is under way can look stale for a
# moment and then not, so the visit ends only when the server serves (or times out), never on a glimpse.
if ! serving; then
  step "waiting for server $SERVER_ID to serve the ensemble"
  deadline=$((SECONDS + 120))
  until serving; do
    if stale; then
      aside="$data.before-$(date +%Y%m%d-%H%M%S)"
      step "server $SERVER_ID accepted epoch $accepted, later than its ensemble's leader's ($epoch): its data is from before the ensemble was made anew; keeping it in $aside and starting the server empty"
      systemctl stop zookeeper
      mv "$data" "$aside"
      systemctl start zookeeper
      wait_for 120 "server $SERVER_ID to serve the ensemble again" serving
      step "server $SERVER_ID serves again as $(zk_mode), with the ensemble's data"
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "timed out after 120 s waiting for server $SERVER_ID to serve the ensemble: by srvr it says \"$(zk_srvr | head -n 1)\"; it accepted epoch $(cat "$data/acceptedEpoch" 2>/dev/null || echo none), the leader's is $(leader_epoch || echo 'unknown (no server leads)'); see journalctl -u zookeeper"
    fi
    sleep 1
  done
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
if ! wait_for --quiet 180 "the ensemble" formed; then
  die "timed out after 180 s waiting for one leader and $(($(wc -w <<<"$SERVERS") - 1)) followers; by srvr: $(modes | paste -sd, | sed 's/,/, /g') (down: not serving; see that host's journalctl -u zookeeper)"
fi
modes
