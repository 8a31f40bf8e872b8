# shellcheck shell=bash
# Undoes nfs-mount.sh: unmounts the share, removes its fstab line, purges nfs-common if this program
# installed it, and removes the mount point if this program made it and it is empty.
# Settings: SERVER (address), EXPORT_PATH, MOUNT_POINT, RECORD (as nfs-mount.sh had it).
: "${SERVER:?}" "${EXPORT_PATH:?}" "${MOUNT_POINT:?}" "${RECORD:?}"
record=$RECORD
source="$SERVER:$EXPORT_PATH"

if [ "$(findmnt -n -o SOURCE --mountpoint "$MOUNT_POINT" 2>/dev/null || true)" = "$source" ]; then
  step "unmounting $MOUNT_POINT"
  # A busy mount (a job still writing) is detached now and let go when the last file closes.
  umount "$MOUNT_POINT" 2>/dev/null || umount -l "$MOUNT_POINT"
fi
fstab=$(mktemp)
awk -v src="$source" -v mp="$MOUNT_POINT" '!($1 == src && $2 == mp && $3 == "nfs4")' /etc/fstab >"$fstab"
if write_file /etc/fstab 0644 <"$fstab"; then
  step "removed $source from /etc/fstab"
  systemctl daemon-reload
fi
rm -f "$fstab"

# nfs-common and what came with it, if this program installed them and no package that is not ours needs them.
apt_purge_recorded "$record"
remove_dir_recorded "$MOUNT_POINT" "$T2_STATE_DIR/$record.created"
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
