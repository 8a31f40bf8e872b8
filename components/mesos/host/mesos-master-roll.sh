# shellcheck shell=bash
# One visit of the masters' roll, which visits the masters up in their order and back down
# (framework/remote/rolling.ts): restarts this master if mesos-daemon.sh marked it (a change it reads at
# start), and waits until it serves again before the next visit begins: it answers /master/health and
# points at a leading master (/master/redirect), so it is back in the election. The master that leads
# restarts last, once every other marked master serves again: one election for the whole roll. After
# it, the visit waits until a master leads with as many agents active as it had. A master that does not
# come back stops the roll there, naming it; the masters not yet visited keep running as they were.
# Prints "restarted leading|following" and "version <Mesos package version>" when it restarted the master.
# Settings: MASTER (its "address:port"), MASTERS ("address:port ..."), ROUND (followers: a master that
# leads waits for the way back | turn | leader), PENDING (the daemon step's "restart-pending" line, if it
# printed one: what makes the roll run again).
: "${MASTER:?}" "${MASTERS:?}" "${ROUND:?}" "${PENDING=}"
pending="$T2_STATE_DIR/mesos-master.restart-pending"
[ -s "$pending" ] || exit 0

wait_for 120 "a leading master among $MASTERS" leader_state
if [ "$ROUND" = followers ] && [ "$LEADER" = "$MASTER" ]; then
  step "master $MASTER leads: it restarts after the other masters"
  exit 0
fi
was=following agents=0
if [ "$LEADER" = "$MASTER" ]; then
  was=leading
  agents=$(jq -r '.activated_slaves // 0' "$LEADER_STATE")
fi
step "restarting master $MASTER ($was; changed: $(paste -sd, "$pending"))"
# The pinned version (mesos.version), if it runs another: installed now, on its turn (the package's own
# restart of its daemons held: an agent beside it restarts in the agents' roll, drained).
apt_install_pins_of mesos-master
systemctl restart mesos-master
answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$MASTER/master/$1")" = "$2" ]; }
serving() { answers health 200 && answers redirect 307; }
if ! wait_for --quiet 180 "master $MASTER to serve again" serving; then
  journalctl -u mesos-master -n 15 --no-pager -o cat >&2 || true
  die "master $MASTER does not serve again 180 s after its restart (health: $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$MASTER/master/health"), a leader known: $(answers redirect 307 && echo yes || echo no); its log is above); the roll stops here"
fi
rm -f "$pending"
if [ "$was" = leading ]; then
  agents_back() { leader_state && [ "$(jq -r '.activated_slaves // 0' "$LEADER_STATE")" -ge "$agents" ]; }
  wait_for 180 "a leading master among $MASTERS with the $agents agents active that $MASTER had" agents_back
  step "master $MASTER serves again; $LEADER leads, with $(jq -r '.activated_slaves' "$LEADER_STATE") agents active"
else
  step "master $MASTER serves again"
fi
echo "restarted $was"
echo "version $(package_version "$(mesos_package mesos-master)")"
