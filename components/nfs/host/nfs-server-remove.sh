# shellcheck shell=bash
# Undoes nfs-server.sh: removes the export, purges the server packages if this program installed them
# (else reloads the server without the export), and removes the exported directory only if this program
# made it and it is empty: job data is never deleted.
# Settings: IMPLEMENTATION (kernel | ganesha), EXPORT_NAME, EXPORT_PATH.
: "${IMPLEMENTATION:?}" "${EXPORT_NAME:?}" "${EXPORT_PATH:?}"
marker="$T2_STATE_DIR/nfs-$EXPORT_NAME"

case "$IMPLEMENTATION" in
  kernel)
    step "removing the export of $EXPORT_PATH"
    rm -f "/etc/exports.d/$EXPORT_NAME.exports"
    if packages_recorded nfs-server; then
      systemctl disable --now nfs-kernel-server >/dev/null 2>&1 || true
    elif command -v exportfs >/dev/null 2>&1; then
      exportfs -ra
    fi
    ;;
  ganesha)
    conf="/etc/ganesha/twister2-$EXPORT_NAME.conf"
    step "removing the export of $EXPORT_PATH"
    rm -f "$conf"
    [ -f /etc/ganesha/ganesha.conf ] && sed -i "\\|^%include \"$conf\"\$|d" /etc/ganesha/ganesha.conf
    if packages_recorded nfs-server; then
      systemctl disable --now nfs-ganesha >/dev/null 2>&1 || true
    elif systemctl is-active -q nfs-ganesha; then
      systemctl restart nfs-ganesha
    fi
    ;;
  *) die "unknown IMPLEMENTATION '$IMPLEMENTATION' (kernel or ganesha)" ;;
esac

if packages_recorded nfs-server; then
  # With what came with them, also what autoremove keeps (nfs-common and rpcbind: "mount" suggests nfs-common).
  apt_purge_recorded nfs-server
  # ganesha's client recovery records and log outlive its purge; a later install would wait out a grace
  # period for clients that are long gone.
  if [ "$IMPLEMENTATION" = ganesha ]; then
    rm -rf /var/lib/nfs/ganesha /var/log/ganesha
    rmdir /var/lib/nfs 2>/dev/null || true
  fi
fi

if [ -f "$marker.created" ]; then
  remove_dir_recorded "$EXPORT_PATH" "$marker.created"
  [ -d "$EXPORT_PATH" ] && step "kept $EXPORT_PATH: it holds data"
fi
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
