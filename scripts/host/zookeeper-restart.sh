# shellcheck shell=bash
# Restarts this server if zookeeper-configure.sh marked it, and waits until it serves the ensemble
# again (as a follower, or as the leader a new election chose). Settings: SERVER_ID.
: "${SERVER_ID:?}"
pending="$T2_STATE_DIR/zookeeper.restart-pending"
serving() { [[ "$(zk_mode)" =~ ^(leader|follower|standalone)$ ]]; }
[ -e "$pending" ] || exit 0
step "restarting zookeeper (server $SERVER_ID, $(zk_mode))"
systemctl restart zookeeper
wait_for 120 "server $SERVER_ID to serve the ensemble again" serving
rm -f "$pending"
step "server $SERVER_ID serves again as $(zk_mode)"
