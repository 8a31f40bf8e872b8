# shellcheck shell=bash
# npm run check on the NFS server, read only: its service's state, and whether it exports the share.
# Runs after framework/check/probe.sh (`fact`, `unit_state`). Settings: NFS_PATH, NFS_IMPLEMENTATION.
: "${NFS_PATH?}" "${NFS_IMPLEMENTATION?}"
case "$NFS_IMPLEMENTATION" in
  ganesha)
    fact service "$(unit_state nfs-ganesha)"
    exported=$(dbus-send --system --print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/ExportMgr \
      org.ganesha.nfsd.exportmgr.ShowExports 2>/dev/null | grep -cF "string \"$NFS_PATH\"" || true) ;;
  *)
    fact service "$(unit_state nfs-server)"
    exported=$(exportfs -s 2>/dev/null | awk '{ print $1 }' | grep -cxF "$NFS_PATH" || true) ;;
esac
if [ "${exported:-0}" -gt 0 ]; then fact export "$NFS_PATH"; else fact export absent; fi
