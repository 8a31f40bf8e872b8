# shellcheck shell=bash
# Configures and starts a Mesos master or agent the packaging way: /etc/mesos/zk, and one file per flag
# in FLAGS_DIR (mesos-init-wrapper turns each into --<flag>=<content>). A daemon that was not running
# starts with them; one that was running is not restarted here but marked (its restart-pending file
# lists what changed), and the roll restarts the marked daemons one host at a time: the masters'
# (mesos-master-roll.sh), the leader last, then the agents' (mesos-agent-roll.sh), each drained first.
# Done when it answers, and then a master when a master leads (it prints "leader <URL>"), an agent when
# the leading master shows it active; "restart-pending <time> <what>" when it marked the daemon. Prints
# the installed Mesos package's version last.
# The credentials arrive on stdin, a line each, "<what> <principal> <secret>", and go into files
# readable by root only, which the flags name:
# - a master's `credentials`: the agents' (agent), the HTTP frameworks' (framework) and the read-write
#   endpoints' (operator); and the ZooKeeper URL with its digest credentials (zookeeper), written into
#   FILE of ZK_CREDENTIALS_URL ("FILE zk://HOSTS/PATH"), which /etc/mesos/zk then names (ZK_URL
#   file://FILE), so that no process's arguments hold it;
# - an agent's `credential` (agent) and `http_credentials` (operator).
# Settings: SERVICE (mesos-master | mesos-agent), ZK_URL, MASTERS ("address:port ..."), FLAGS_DIR, FLAGS
# ("name=value" lines), ZK_CREDENTIALS_URL (masters), SHARED_ZK_URL (an agent beside a master), VERSION
# (mesos.version, when pinned: the pin itself the host's setup step lists; a new one runs this step
# again, which marks a running daemon). The Mesos package and its repository the host's setup step
# installed, unless this daemon was undone since, and its undo took the repository along.
: "${SERVICE:?}" "${ZK_URL:?}" "${MASTERS:?}" "${FLAGS_DIR:?}" "${FLAGS:?}" "${ZK_CREDENTIALS_URL:=}" "${SHARED_ZK_URL:=}" "${VERSION=}"
apt_install_wanted "$SERVICE"
mesos_package=$(mesos_package "$SERVICE")
owned="$T2_STATE_DIR/$SERVICE.flags"
flag() { sed -n "s/^$1=//p" <<<"$FLAGS"; }
if [ "$SERVICE" = mesos-master ]; then
  health_url="http://$(flag ip):$(flag port)/master/health"
else
  health_url="http://$(flag ip):$(flag port)/health"
fi
healthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$health_url")" = 200 ]; }

if [[ ",$(flag containerizers)," == *,docker,* ]] && ! docker version >/dev/null 2>&1; then
  die "the Docker containerizer needs a working docker on this host, and 'docker version' fails"
fi

declare -A principal=() secret=()
while read -r what name value || [ -n "${what:-}" ]; do
  principal[$what]=$name secret[$what]=$value
  what=''
done
needed=(agent operator)
[ "$SERVICE" = mesos-agent ] || needed+=(framework zookeeper)
for what in "${needed[@]}"; do
  [ -n "${secret[$what]:-}" ] || die "no $what credential on standard input"
done
# Principals and secrets are letters, digits, '_', '.' and '-' (the program checks and generates them):
# nothing in them needs escaping.
credential() { printf '{"principal":"%s","secret":"%s"}' "${principal[$1]}" "${secret[$1]}"; }
credentials() {
  local what list=()
  for what; do list+=("$(credential "$what")"); done
  (IFS=,; printf '{"credentials":[%s]}' "${list[*]}")
}
# changed WHAT: something the daemon reads at start changed; a running daemon's restart waits for the roll.
pending="$T2_STATE_DIR/$SERVICE.restart-pending"
rolls=false
if systemctl is-active --quiet "$SERVICE"; then rolls=true; fi
changed() {
  if [ "$rolls" = true ]; then
    grep -qxF "$1" "$pending" 2>/dev/null || echo "$1" >>"$pending"
  else
    notify "$SERVICE"
  fi
}
# The pinned version (mesos.version), if the host has another: a running daemon takes it in the roll, on
# its host's turn (mesos-master-roll.sh, mesos-agent-roll.sh); one (re)started here takes it first.
pins=$(pins_differing "$SERVICE")
if [ -n "$pins" ]; then
  [ "$rolls" = false ] || step "$SERVICE runs $mesos_package $(package_version "$mesos_package"): $(paste -sd' ' <<<"$pins") comes in the roll"
  changed version
fi
# write_secret_file FILE TEXT: root's alone.
write_secret_file() {
  if printf '%s\n' "$2" | write_file "$1" 0600; then changed "$(basename "$1")"; fi
}
if [ "$SERVICE" = mesos-master ]; then
  write_secret_file "$(flag credentials)" "$(credentials agent framework operator)"
  read -r zk_url_file zk_url <<<"$ZK_CREDENTIALS_URL"
  install -d -m 0755 "$(dirname "$zk_url_file")"
  write_secret_file "$zk_url_file" "zk://${principal[zookeeper]}:${secret[zookeeper]}@${zk_url#zk://}"
else
  write_secret_file "$(flag credential)" "$(credential agent)"
  write_secret_file "$(flag http_credentials)" "$(credentials operator)"
fi
echo "$ZK_URL" | write_file /etc/mesos/zk 0644 && changed zk
# An agent beside a master reads the master's URL file, which /etc/mesos/zk names: SHARED_ZK_URL is the URL
# it holds (without the credentials), and a new one (ZooKeeper's members changed) marks the agent as well.
if [ -n "$SHARED_ZK_URL" ]; then
  echo "$SHARED_ZK_URL" | write_file "$T2_STATE_DIR/$SERVICE.zk-url" 0644 && changed zk-url
fi
install -d -m 0755 "$FLAGS_DIR"
# Flags this script wrote before and no longer wants go away; files the package ships stay.
wanted=()
while IFS= read -r line; do
  [ -n "$line" ] || continue
  name=${line%%=*}
  wanted+=("$name")
  printf '%s\n' "${line#*=}" | write_file "$FLAGS_DIR/$name" 0644 && changed "$name"
done <<<"$FLAGS"
if [ -f "$owned" ]; then
  while IFS= read -r name; do
    if [[ ! " ${wanted[*]} " =~ \ $name\  ]] && [ -e "$FLAGS_DIR/$name" ]; then
      rm -f "$FLAGS_DIR/$name"
      changed "$name"
    fi
  done <"$owned"
fi
printf '%s\n' "${wanted[@]}" >"$owned"

systemctl enable "$SERVICE" >/dev/null 2>&1
systemctl is-active --quiet "$SERVICE" || notify "$SERVICE"
# Started (or restarted) here, on the pinned version, with what it reads now: nothing is left for the roll.
if notified "$SERVICE"; then
  apt_install_pins_of "$SERVICE"
  rm -f "$pending"
fi
run_handlers
if [ -s "$pending" ]; then
  step "changed for the running $SERVICE: $(paste -sd, "$pending"); it restarts in the roll, one host at a time"
  # A line of its own each time: the roll's step takes it as a setting, so that it runs.
  echo "restart-pending $(date +%s%N) $(paste -sd, "$pending")"
fi
if ! wait_for --quiet 90 "$SERVICE to answer $health_url" healthy; then
  journalctl -u "$SERVICE" -n 15 --no-pager -o cat >&2 || true
  die "$SERVICE does not answer $health_url after 90 s (its log is above)"
fi
step "$SERVICE answers on $health_url"

if [ "$SERVICE" = mesos-master ]; then
  wait_for 180 "a leading master among $MASTERS" leader_state
  step "the leading master is $LEADER"
  echo "leader http://$LEADER"
else
  agent=$(flag hostname)
  active_at_leader() { leader_state && jq -e --arg h "$agent" '.slaves | any(.hostname == $h and .active)' "$LEADER_STATE" >/dev/null; }
  wait_for 180 "a leading master among $MASTERS to show agent $agent active" active_at_leader
  step "agent $agent is active at the leading master $LEADER ($(jq -r '.activated_slaves' "$LEADER_STATE") agents active)"
fi
package_version "$mesos_package"
