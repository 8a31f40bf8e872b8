# shellcheck shell=bash
# The NFS server of an NfsShare: installs nfs-kernel-server or nfs-ganesha, makes the exported directory
# (owner and mode applied on every run), writes the export and waits until it is served. Prints the
# server package and version.
# Settings: IMPLEMENTATION (kernel | ganesha), EXPORT_NAME, EXPORT_PATH, CONFIG (the exports.d file or the
# ganesha configuration), OWNER (uid:gid), MODE (octal), WAIT_SECONDS, PACKAGES (the implementation's; the
# host's packages step installed them already unless this server was replaced).
: "${IMPLEMENTATION:?}" "${EXPORT_NAME:?}" "${EXPORT_PATH:?}" "${CONFIG:?}" "${OWNER:?}" "${MODE:?}" "${WAIT_SECONDS:=150}" "${PACKAGES:?}"
read -r -a packages <<<"$PACKAGES"
marker="$T2_STATE_DIR/nfs-$EXPORT_NAME"

# What this program installs is recorded with what came with it, so that destroy purges those and nothing else.
install_packages() { apt_install_recorded nfs-server "${packages[@]}"; }

# The exported directory; if this program makes it, the topmost directory it made is recorded, so that
# destroy can remove what it made (when empty: job data is never deleted).
make_dir_recorded "$EXPORT_PATH" "$marker.created" && step "created $EXPORT_PATH"
chown "$OWNER" "$EXPORT_PATH"
chmod "$MODE" "$EXPORT_PATH"

config_text() { printf '%s\n' "${CONFIG%$'\n'}"; }

# Waits until CHECK succeeds; on time-out shows SERVICE's recent log and fails.
serving_or_die() {
  local what=$1 service=$2 log=$3
  shift 3
  wait_for --quiet "$WAIT_SECONDS" "$what" "$@" && return 0
  step "last lines of $log:"
  tail -n 30 "$log" >&2 2>/dev/null || journalctl -u "$service" -n 30 --no-pager >&2 || true
  die "timed out after ${WAIT_SECONDS}s waiting for $what"
}

# NFSv4 over TCP registered with rpcbind, and port 2049 open. (Not `rpcinfo -T tcp HOST nfs 4`: without
# netbase's /etc/rpc and /etc/services, as on minimal images, it cannot name the service or the host.)
rpc_nfs4() {
  rpcinfo -p | awk '$1 == 100003 && $2 == 4 && $3 == "tcp" { found = 1 } END { exit !found }' &&
    ss -Hltn 'sport = :2049' | grep -q .
}

kernel_exported() { exportfs -s | awk '{ print $1 }' | grep -qxF "$EXPORT_PATH"; }

serve_kernel() {
  install_packages
  if config_text | write_file "/etc/exports.d/$EXPORT_NAME.exports" 0644; then
    step "export written: /etc/exports.d/$EXPORT_NAME.exports"
  fi
  systemctl enable --now nfs-kernel-server 2>/dev/null
  exportfs -ra
  serving_or_die "the kernel NFS server to export $EXPORT_PATH" nfs-kernel-server /dev/null kernel_exported
  serving_or_die "the kernel NFS server to answer NFSv4" nfs-kernel-server /dev/null rpc_nfs4
  echo "nfs-kernel-server $(package_version nfs-kernel-server)"
}

ganesha_dbus() {
  dbus-send --system --print-reply --dest=org.ganesha.nfsd "/org/ganesha/nfsd/$1" "org.ganesha.nfsd.$2"
}
# ganesha lists the export, and is out of its grace period (get_grace's first value: in grace).
ganesha_exported() { ganesha_dbus ExportMgr exportmgr.ShowExports | grep -qF "string \"$EXPORT_PATH\""; }
ganesha_out_of_grace() { ganesha_dbus admin admin.get_grace | awk '/boolean/ { print $2; exit }' | grep -qx false; }

serve_ganesha() {
  local conf="/etc/ganesha/twister2-$EXPORT_NAME.conf"
  install_packages
  if config_text | write_file "$conf" 0644; then
    step "export written: $conf"
    notify nfs-ganesha
  fi
  if ! grep -qxF "%include \"$conf\"" /etc/ganesha/ganesha.conf; then
    printf '%%include "%s"\n' "$conf" >>/etc/ganesha/ganesha.conf
    notify nfs-ganesha
  fi
  systemctl enable nfs-ganesha 2>/dev/null
  systemctl is-active -q nfs-ganesha || notify nfs-ganesha
  run_handlers
  serving_or_die "nfs-ganesha to answer NFSv4" nfs-ganesha /var/log/ganesha/ganesha.log rpc_nfs4
  serving_or_die "nfs-ganesha to export $EXPORT_PATH" nfs-ganesha /var/log/ganesha/ganesha.log ganesha_exported
  step "waiting for the end of nfs-ganesha's grace period"
  serving_or_die "nfs-ganesha's grace period to end" nfs-ganesha /var/log/ganesha/ganesha.log ganesha_out_of_grace
  echo "nfs-ganesha $(package_version nfs-ganesha)"
}

case "$IMPLEMENTATION" in
  kernel) result=$(serve_kernel) ;;
  ganesha) result=$(serve_ganesha) ;;
  *) die "unknown IMPLEMENTATION '$IMPLEMENTATION' (kernel or ganesha)" ;;
esac
step "serving $EXPORT_PATH ($result)"
echo "$result"
