# shellcheck shell=bash
# Configures and starts a Mesos master or agent the packaging way: /etc/mesos/zk, and one file per flag
# in FLAGS_DIR (mesos-init-wrapper turns each into --<flag>=<content>). The credential arrives on
# stdin and is written readable by root only. Restarts the service only when something changed.
# Prints the installed Mesos package's version.
# Settings: SERVICE (mesos-master | mesos-agent), ZK_URL, FLAGS_DIR, FLAGS ("name=value" lines),
# CREDENTIAL_FILE, HEALTH_URL, NEEDS_DOCKER (true | false), PACKAGES (the Mesos package first) and
# REPOSITORIES (packages-install.sh's, the Mesos repository): the host's packages step installed them,
# unless this daemon was undone since, and its undo took the repository along.
: "${SERVICE:?}" "${ZK_URL:?}" "${FLAGS_DIR:?}" "${FLAGS:?}" "${CREDENTIAL_FILE:?}" "${HEALTH_URL:?}" "${NEEDS_DOCKER:?}" "${PACKAGES:?}" "${REPOSITORIES:?}"
read -r -a packages <<<"$PACKAGES"
apt_sources_recorded <<<"$REPOSITORIES"
apt_install_recorded "$SERVICE" "${packages[@]}"
owned="$T2_STATE_DIR/$SERVICE.flags"
healthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$HEALTH_URL")" = 200 ]; }

if [ "$NEEDS_DOCKER" = true ] && ! docker version >/dev/null 2>&1; then
  die "the Docker containerizer needs a working docker on this host, and 'docker version' fails"
fi

cat | write_file "$CREDENTIAL_FILE" 0600 && notify "$SERVICE"
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
if ! wait_for --quiet 90 "$SERVICE to answer $HEALTH_URL" healthy; then
  journalctl -u "$SERVICE" -n 15 --no-pager -o cat >&2 || true
  die "$SERVICE does not answer $HEALTH_URL after 90 s (its log is above)"
fi
step "$SERVICE answers on $HEALTH_URL"
package_version "${packages[0]}"
