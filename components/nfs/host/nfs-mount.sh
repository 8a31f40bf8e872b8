# shellcheck shell=bash
# An NFS client of an NfsShare: installs nfs-common, adds the share to /etc/fstab (NFSv4) and mounts it.
# Settings: SERVER (address), EXPORT_PATH, MOUNT_POINT, OPTIONS (mount options), RECORD (what this program
# did for this mount is recorded in $T2_STATE_DIR as RECORD.packages and RECORD.created; the NFS client's
# packages the host's setup step installed already, unless this mount was replaced).
: "${SERVER:?}" "${EXPORT_PATH:?}" "${MOUNT_POINT:?}" "${OPTIONS:?}" "${RECORD:?}"
record=$RECORD
source="$SERVER:$EXPORT_PATH"

# If this program installs nfs-common, it records what came with it: destroy purges those.
apt_install_wanted "$record"

# The mount point; if this program makes it, destroy removes what it made (when empty).
make_dir_recorded "$MOUNT_POINT" "$T2_STATE_DIR/$record.created" || true

# One NFSv4 line for the mount point: an older one of ours is replaced; anything else there is not ours.
other=$(awk -v mp="$MOUNT_POINT" '$1 !~ /^#/ && $2 == mp && $3 != "nfs4"' /etc/fstab)
[ -z "$other" ] || die "/etc/fstab already mounts something else at $MOUNT_POINT: $other"
fstab=$(mktemp)
awk -v mp="$MOUNT_POINT" '!($1 !~ /^#/ && $2 == mp && $3 == "nfs4")' /etc/fstab >"$fstab"
echo "$source $MOUNT_POINT nfs4 $OPTIONS 0 0" >>"$fstab"
changed=""
if write_file /etc/fstab 0644 <"$fstab"; then
  changed=1
  step "fstab: $source $MOUNT_POINT nfs4 $OPTIONS"
  systemctl daemon-reload
fi
rm -f "$fstab"

mounted_source() { findmnt -n -o SOURCE --mountpoint "$MOUNT_POINT" 2>/dev/null || true; }
if [ -n "$changed" ] && [ -n "$(mounted_source)" ]; then
  step "remounting $MOUNT_POINT with the new entry"
  umount "$MOUNT_POINT"
fi
if [ "$(mounted_source)" != "$source" ]; then
  timeout 120 mount "$MOUNT_POINT" || die "could not mount $source at $MOUNT_POINT (mount says why, above)"
fi
step "$source mounted at $MOUNT_POINT"
echo "$source"
