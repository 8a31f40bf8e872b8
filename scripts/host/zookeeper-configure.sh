# shellcheck shell=bash
# Writes zoo.cfg and myid for this server and (re)starts it when they change. On a running ensemble it
# waits until this server serves again, so servers restart one at a time and the ensemble keeps quorum.
# Settings: SERVER_ID, SERVERS ("id=address ..."), TICK_TIME, INIT_LIMIT, SYNC_LIMIT.
: "${SERVER_ID:?}" "${SERVERS:?}" "${TICK_TIME:?}" "${INIT_LIMIT:?}" "${SYNC_LIMIT:?}"
conf=/etc/zookeeper/conf
serving() { [ "$(echo srvr | nc -q 2 -w 3 127.0.0.1 2181 2>/dev/null | sed -n 's/^Mode: //p')" != "" ]; }

# Only a server of our ensemble that serves now must serve again before the next one restarts; a fresh
# package runs Debian's standalone example config, and a new ensemble has no quorum until enough servers are up.
was_serving=false
grep -q '^# Written by twister2-cluster' "$conf/zoo.cfg" 2>/dev/null && systemctl is-active --quiet zookeeper && serving &&
  was_serving=true
changed=false
{
  echo "# Written by twister2-cluster (zookeeper-configure.sh)."
  echo "tickTime=$TICK_TIME"
  echo "initLimit=$INIT_LIMIT"
  echo "syncLimit=$SYNC_LIMIT"
  echo "dataDir=/var/lib/zookeeper"
  echo "clientPort=2181"
  echo "4lw.commands.whitelist=srvr"
  echo "admin.enableServer=false"
  for server in $SERVERS; do
    echo "server.${server%%=*}=${server#*=}:2888:3888;2181"
  done
} | write_file "$conf/zoo.cfg" 0644 && changed=true
echo "$SERVER_ID" | write_file "$conf/myid" 0644 && changed=true
install -d -o zookeeper -g zookeeper -m 0750 /var/lib/zookeeper
[ -L /var/lib/zookeeper/myid ] || ln -sf "$conf/myid" /var/lib/zookeeper/myid

systemctl enable zookeeper >/dev/null 2>&1
if [ "$changed" = true ] || ! systemctl is-active --quiet zookeeper; then
  step "restarting zookeeper (server $SERVER_ID)"
  systemctl restart zookeeper
fi
if [ "$was_serving" = true ]; then
  wait_for 120 "server $SERVER_ID to rejoin the ensemble" serving
fi
step "server $SERVER_ID configured"
