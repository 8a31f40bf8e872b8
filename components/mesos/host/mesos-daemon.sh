# shellcheck shell=bash
# Configures and starts a Mesos master or agent the packaging way: /etc/mesos/zk, and one file per flag
# in FLAGS_DIR (mesos-init-wrapper turns each into --<flag>=<content>). The principal's secret arrives
# on stdin; its credential file (the master's `credentials` flag, the agent's `credential`) is written
# readable by root only. Restarts the service only when something changed. Done when it answers, and
# then a master when a master leads (it prints "leader <URL>"), an agent when the leading master shows
# it active. Prints the installed Mesos package's version last.
# A master also gets the ZooKeeper digest secret, on the second line of stdin: it writes the URL with
# it (ZK_CREDENTIALS_URL: "FILE USER zk://HOSTS/PATH") into FILE, root's alone, which /etc/mesos/zk
# then names (ZK_URL file://FILE), so that no process's arguments hold it. On the third line comes the
# secret of FRAMEWORK_PRINCIPAL, which its credentials file holds beside the agents'.
# Settings: SERVICE (mesos-master | mesos-agent), ZK_URL, MASTERS ("address:port ..."), FLAGS_DIR, FLAGS
# ("name=value" lines), PRINCIPAL, ZK_CREDENTIALS_URL and FRAMEWORK_PRINCIPAL (masters). The Mesos package and its repository the
# host's setup step installed, unless this daemon was undone since, and its undo took the repository along.
: "${SERVICE:?}" "${ZK_URL:?}" "${MASTERS:?}" "${FLAGS_DIR:?}" "${FLAGS:?}" "${PRINCIPAL:?}" "${ZK_CREDENTIALS_URL:=}" "${FRAMEWORK_PRINCIPAL:=}"
apt_install_wanted "$SERVICE"
read -r mesos_package _ <"$T2_STATE_DIR/$SERVICE.wants"
owned="$T2_STATE_DIR/$SERVICE.flags"
flag() { sed -n "s/^$1=//p" <<<"$FLAGS"; }
if [ "$SERVICE" = mesos-master ]; then
  credential_file=$(flag credentials)
  health_url="http://$(flag ip):$(flag port)/master/health"
else
  credential_file=$(flag credential)
  health_url="http://$(flag ip):$(flag port)/health"
fi
healthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$health_url")" = 200 ]; }

if [[ ",$(flag containerizers)," == *,docker,* ]] && ! docker version >/dev/null 2>&1; then
  die "the Docker containerizer needs a working docker on this host, and 'docker version' fails"
fi

IFS= read -r secret || true
[ -n "$secret" ] || die "no secret for $PRINCIPAL on standard input"
zk_secret='' framework_secret=''
[ -z "$ZK_CREDENTIALS_URL" ] || IFS= read -r zk_secret || true
[ -z "$FRAMEWORK_PRINCIPAL" ] || IFS= read -r framework_secret || true
# Letters and digits (the program generates them), as are the principals: nothing in them needs escaping.
credential=$(printf '{"principal":"%s","secret":"%s"}' "$PRINCIPAL" "$secret")
if [ -n "$FRAMEWORK_PRINCIPAL" ]; then
  [ -n "$framework_secret" ] || die "no secret for $FRAMEWORK_PRINCIPAL on standard input"
  credential+=$(printf ',{"principal":"%s","secret":"%s"}' "$FRAMEWORK_PRINCIPAL" "$framework_secret")
fi
[ "$SERVICE" = mesos-agent ] || credential="{\"credentials\":[$credential]}"
printf '%s' "$credential" | write_file "$credential_file" 0600 && notify "$SERVICE"
if [ -n "$ZK_CREDENTIALS_URL" ]; then
  read -r zk_url_file zk_user zk_url <<<"$ZK_CREDENTIALS_URL"
  [ -n "$zk_secret" ] || die "no ZooKeeper secret for $zk_user on standard input"
  install -d -m 0755 "$(dirname "$zk_url_file")"
  echo "zk://$zk_user:$zk_secret@${zk_url#zk://}" | write_file "$zk_url_file" 0600 && notify "$SERVICE"
fi
echo "$ZK_URL" | write_file /etc/mesos/zk 0644 && notify "$SERVICE"
install -d -m 0755 "$FLAGS_DIR"
# Flags this script wrote before and no longer wants go away; files the package ships stay.
wanted=()
while IFS= read -r line; do
  [ -n "$line" ] || continue
  name=${line%%=*}
  wanted+=("$name")
  printf '%s\n' "${line#*=}" | write_file "$FLAGS_DIR/$name" 0644 && notify "$SERVICE"
done <<<"$FLAGS"
if [ -f "$owned" ]; then
  while IFS= read -r name; do
    if [[ ! " ${wanted[*]} " =~ \ $name\  ]] && [ -e "$FLAGS_DIR/$name" ]; then
      rm -f "$FLAGS_DIR/$name"
      notify "$SERVICE"
    fi
  done <"$owned"
fi
printf '%s\n' "${wanted[@]}" >"$owned"

systemctl enable "$SERVICE" >/dev/null 2>&1
systemctl is-active --quiet "$SERVICE" || notify "$SERVICE"
run_handlers
if ! wait_for --quiet 90 "$SERVICE to answer $health_url" healthy; then
  journalctl -u "$SERVICE" -n 15 --no-pager -o cat >&2 || true
  die "$SERVICE does not answer $health_url after 90 s (its log is above)"
fi
step "$SERVICE answers on $health_url"

state=$(mktemp)
trap 'rm -f "$state"' EXIT
leader=
# find_leader: the master of MASTERS that answers /master/state itself (the others redirect to it).
find_leader() {
  local master
  for master in $MASTERS; do
    if [ "$(curl -s -o "$state" -w '%{http_code}' --max-time 5 "http://$master/master/state")" = 200 ]; then
      leader=$master
      return 0
    fi
  done
  return 1
}
if [ "$SERVICE" = mesos-master ]; then
  wait_for 180 "a leading master among $MASTERS" find_leader
  step "the leading master is $leader"
  echo "leader http://$leader"
else
  agent=$(flag hostname)
  active_at_leader() { find_leader && jq -e --arg h "$agent" '.slaves | any(.hostname == $h and .active)' "$state" >/dev/null; }
  wait_for 180 "a leading master among $MASTERS to show agent $agent active" active_at_leader
  step "agent $agent is active at the leading master $leader ($(jq -r '.activated_slaves' "$state") agents active)"
fi
package_version "$mesos_package"
