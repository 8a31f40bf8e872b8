# shellcheck shell=bash
# One step of the rolling restart: restarts this server if zookeeper-configure.sh marked it, and waits
# until it serves the ensemble again (as a follower, or as the leader a new election chose). In the
# round of the followers a leading server waits for the next round, so the leader restarts last.
# Prints "restarted <mode before>" when it restarted the server. Settings: SERVER_ID, ROUND
# (followers|leader); the ensemble's settings come too, so that a change of them runs the round again.
: "${SERVER_ID:?}" "${ROUND:?}"
pending="$T2_STATE_DIR/zookeeper.restart-pending"
serving() { [[ "$(zk_mode)" =~ ^(leader|follower|standalone)$ ]]; }
[ -e "$pending" ] || exit 0
mode=$(zk_mode)
if [ "$ROUND" = followers ] && [ "$mode" = leader ]; then
  step "server $SERVER_ID leads: it restarts after the followers"
  exit 0
fi
step "restarting zookeeper (server $SERVER_ID, ${mode:-down})"
systemctl restart zookeeper
wait_for 120 "server $SERVER_ID to serve the ensemble again" serving
rm -f "$pending"
step "server $SERVER_ID serves again as $(zk_mode)"
echo "restarted ${mode:-down}"
