# shellcheck shell=bash
# Writes zoo.cfg and myid for this server. A new server (or one not serving our ensemble yet) starts
# at once; a running member of our ensemble is only marked for restart: zookeeper-restart.sh restarts
# the marked servers one at a time, followers first and the leader last, so the ensemble keeps quorum.
# Prints the installed ZooKeeper version. ZooKeeper's packages the host's setup step installed already,
# unless this server was undone since; pinned (the setup step's list has zookeeperd=<version>), a host
# that runs another version is marked too, and the rolling restart installs the pin.
# Settings: SERVER_ID, SERVERS ("id=address ..."), TICK_TIME, INIT_LIMIT, SYNC_LIMIT, and the ports:
# CLIENT_PORT, QUORUM_PORT, ELECTION_PORT; VERSION, the pin, when there is one (what the step reads is
# the setup step's list: VERSION runs the step again when it changes).
: "${SERVER_ID:?}" "${SERVERS:?}" "${TICK_TIME:?}" "${INIT_LIMIT:?}" "${SYNC_LIMIT:?}"
: "${CLIENT_PORT:?}" "${QUORUM_PORT:?}" "${ELECTION_PORT:?}"
apt_install_wanted zookeeper
conf=/etc/zookeeper/conf
pending="$T2_STATE_DIR/zookeeper.restart-pending"

# A fresh package runs Debian's standalone example config: that one restarts at once.
member=false
grep -q '^# Written by twister2-cluster' "$conf/zoo.cfg" 2>/dev/null && systemctl is-active --quiet zookeeper && member=true
# A pinned version (zookeeper.version, VERSION) the host does not run yet: a running member takes it in
# the rolling restart, on its turn; any other server at once.
mapfile -t pins < <(pins_differing zookeeper)
if [ "${#pins[@]}" -gt 0 ] && [ "$member" = true ]; then
  step "server $SERVER_ID runs zookeeper $(package_version zookeeper): ${pins[*]} comes in the rolling restart"
  touch "$pending"
elif [ "${#pins[@]}" -gt 0 ]; then
  apt_install_pins "${pins[@]}"
  notify zookeeper
fi
{
  echo "# Written by twister2-cluster (zookeeper-configure.sh)."
  echo "tickTime=$TICK_TIME"
  echo "initLimit=$INIT_LIMIT"
  echo "syncLimit=$SYNC_LIMIT"
  echo "dataDir=/var/lib/zookeeper"
  echo "clientPort=$CLIENT_PORT"
  echo "4lw.commands.whitelist=srvr"
  echo "admin.enableServer=false"
  for server in $SERVERS; do
    echo "server.${server%%=*}=${server#*=}:$QUORUM_PORT:$ELECTION_PORT;$CLIENT_PORT"
  done
} | write_file "$conf/zoo.cfg" 0644 && notify zookeeper
echo "$SERVER_ID" | write_file "$conf/myid" 0644 && notify zookeeper
install -d -o zookeeper -g zookeeper -m 0750 /var/lib/zookeeper
[ -L /var/lib/zookeeper/myid ] || ln -sf "$conf/myid" /var/lib/zookeeper/myid

systemctl enable zookeeper >/dev/null 2>&1
if [ "$member" = true ] && notified zookeeper; then
  # Not restarted here (its handler is left unrun): zookeeper-restart.sh restarts the marked members.
  step "server $SERVER_ID: new configuration written; it restarts in the rolling restart"
  touch "$pending"
else
  systemctl is-active --quiet zookeeper || notify zookeeper
  if notified zookeeper; then
    run_handlers
    rm -f "$pending"
  fi
fi
step "server $SERVER_ID configured"
package_version zookeeper
