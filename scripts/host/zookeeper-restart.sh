# shellcheck shell=bash
# Restarts this server if zookeeper-configure.sh marked it, and waits until it serves the ensemble
# again (as a follower, or as the leader a new election chose). Settings: SERVER_ID.
: "${SERVER_ID:?}"
pending="$T2_STATE_DIR/zookeeper.restart-pending"
mode() { echo srvr | nc -q 2 -w 3 127.0.0.1 2181 2>/dev/null | sed -n 's/^Mode: //p'; }
serving() { [[ "$(mode)" =~ ^(leader|follower|standalone)$ ]]; }
[ -e "$pending" ] || exit 0
step "restarting zookeeper (server $SERVER_ID, $(mode || true))"
systemctl restart zookeeper
wait_for 120 "server $SERVER_ID to serve the ensemble again" serving
rm -f "$pending"
step "server $SERVER_ID serves again as $(mode)"
