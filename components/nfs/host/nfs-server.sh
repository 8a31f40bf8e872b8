# shellcheck shell=bash
# The NFS server of an NfsShare: installs nfs-kernel-server or nfs-ganesha, makes the exported directory
# (owner and mode applied on every run), writes the export and waits until it is served. Prints the
# server package and version.
# Settings: IMPLEMENTATION (kernel | ganesha), EXPORT_NAME, EXPORT_PATH, CLIENTS (addresses, CIDRs or
# names, space separated), GRACE_PERIOD (ganesha's, seconds; empty: its default), OWNER (uid:gid), MODE
# (octal), WAIT_SECONDS, NFS_PORT (where it listens). The implementation's packages the host's setup
# step installed already, unless this server was replaced.
: "${IMPLEMENTATION:?}" "${EXPORT_NAME:?}" "${EXPORT_PATH:?}" "${CLIENTS:?}" "${GRACE_PERIOD:=}" "${OWNER:?}" "${MODE:?}" "${WAIT_SECONDS:=150}"
: "${NFS_PORT:?}"
marker="$T2_STATE_DIR/nfs-$EXPORT_NAME"

# What this program installs is recorded with what came with it, so that destroy purges those and nothing else.
install_packages() { apt_install_wanted nfs-server; }

# The exported directory; if this program makes it, the topmost directory it made is recorded, so that
# destroy can remove what it made (when empty: job data is never deleted).
make_dir_recorded "$EXPORT_PATH" "$marker.created" && step "created $EXPORT_PATH"
chown "$OWNER" "$EXPORT_PATH"
chmod "$MODE" "$EXPORT_PATH"

# kernel_exports: /etc/exports.d/<name>.exports for nfs-kernel-server, one line: every client read-write,
# synchronous, root squashed, from privileged ports only.
kernel_exports() {
  local client line=$EXPORT_PATH
  for client in $CLIENTS; do line+=" $client(rw,sync,no_subtree_check,root_squash,secure)"; done
  echo "$line"
}

# ganesha_config: the configuration this program includes into /etc/ganesha/ganesha.conf, an NFSv4-only
# EXPORT with the kernel export's meaning (root squashed to nobody, 65534), plus the server-wide settings
# the share needs.
ganesha_config() {
  local client clients=""
  for client in $CLIENTS; do clients+="${clients:+, }$client"; done
  cat <<CONF
# Written by twister2-cluster (NfsShare); \`pulumi destroy\` removes it.
NFS_CORE_PARAM {
    # The export is NFSv4 only: no NLM (NFSv3 locking), no rquota. Without NLM, ganesha also ends
    # its grace period as soon as no client has state left to reclaim (at once on a first start).
    Enable_NLM = false;
    Enable_RQUOTA = false;
CONF
  # ganesha 6 (Debian 13's) marks itself as an I/O flusher (PR_SET_IO_FLUSHER), which needs
  # CAP_SYS_RESOURCE, and refuses to start without it unless told to go on: a host in a container (LXC,
  # a lab's) has not got it. Where the host has it, this changes nothing. (4.x, Debian 12's, knows no
  # such setting.)
  if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' nfs-ganesha 2>/dev/null || echo 0)" ge 6; then
    echo '    allow_set_io_flusher_fail = true;'
  fi
  echo '}'
  if [ -n "$GRACE_PERIOD" ]; then
    cat <<CONF
NFSv4 {
    # After a restart, clients that held state get this long to reclaim it (ganesha's default: 90).
    Grace_Period = $GRACE_PERIOD;
    Lease_Lifetime = $((GRACE_PERIOD < 60 ? GRACE_PERIOD : 60));
}
CONF
  fi
  cat <<CONF
EXPORT {
    Export_Id = 4242;
    Path = "$EXPORT_PATH";
    Pseudo = "$EXPORT_PATH";
    # Nobody but the CLIENT block's clients.
    Access_Type = None;
    Squash = Root_Squash;
    # Only from a privileged port, as the kernel server's "secure": a client's uids are trusted (sec=sys),
    # so an unprivileged process on a client host must not speak NFS for itself.
    PrivilegedPort = true;
    Anonymous_Uid = 65534;
    Anonymous_Gid = 65534;
    Protocols = 4;
    Transports = TCP;
    SecType = sys;
    CLIENT {
        Clients = $clients;
        Access_Type = RW;
    }
    FSAL {
        Name = VFS;
    }
}
CONF
}

# Waits until CHECK succeeds; on time-out shows SERVICE's recent log and fails.
serving_or_die() {
  local what=$1 service=$2 log=$3
  shift 3
  wait_for --quiet "$WAIT_SECONDS" "$what" "$@" && return 0
  step "last lines of $log:"
  tail -n 30 "$log" >&2 2>/dev/null || journalctl -u "$service" -n 30 --no-pager >&2 || true
  die "timed out after ${WAIT_SECONDS}s waiting for $what"
}

# NFSv4 over TCP registered with rpcbind, and its port open. (Not `rpcinfo -T tcp HOST nfs 4`: without
# netbase's /etc/rpc and /etc/services, as on minimal images, it cannot name the service or the host.)
rpc_nfs4() {
  rpcinfo -p | awk '$1 == 100003 && $2 == 4 && $3 == "tcp" { found = 1 } END { exit !found }' &&
    ss -Hltn "sport = :$NFS_PORT" | grep -q .
}

kernel_exported() { exportfs -s | awk '{ print $1 }' | grep -qxF "$EXPORT_PATH"; }

serve_kernel() {
  install_packages
  if kernel_exports | write_file "/etc/exports.d/$EXPORT_NAME.exports" 0644; then
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
  if ganesha_config | write_file "$conf" 0644; then
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
