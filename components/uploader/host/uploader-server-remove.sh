# shellcheck shell=bash
# The undo of uploader-server.sh: removes the upload account and its home, and the upload directory, each only
# if this program made it; then the uploader's nginx site, and nginx too if this program installed it
# (else nginx reloads without the site). Settings: UPLOAD_USER, DIRECTORY.
: "${UPLOAD_USER:?}" "${DIRECTORY:?}"
dir=${DIRECTORY%/}
marker="$T2_STATE_DIR/uploader-directory.created"
if [ -f "$marker" ]; then
  top=$(cat "$marker")
  # Only the recorded directory, and only if it is this directory or one of its parents.
  if [ -n "$top" ] && [ "$top" != / ] && { [ "$dir" = "$top" ] || [[ "$dir" == "$top"/* ]]; }; then
    step "removing $top"
    rm -rf --one-file-system -- "$top"
  fi
  rm -f "$marker"
fi
if [ "$(cat "$T2_STATE_DIR/uploader-user.created" 2>/dev/null)" = "$UPLOAD_USER" ]; then
  step "removing the upload account $UPLOAD_USER"
  if id "$UPLOAD_USER" >/dev/null 2>&1; then
    home=$(getent passwd "$UPLOAD_USER" | cut -d: -f6)
    pkill -KILL -u "$UPLOAD_USER" 2>/dev/null || true
    # Its home is root's (uploader-server.sh), which userdel --remove leaves: it goes here, with its mail spool.
    userdel "$UPLOAD_USER"
    case "$home" in
      /home/?*) rm -rf --one-file-system -- "$home" ;;
    esac
    rm -f "/var/mail/$UPLOAD_USER"
  fi
  rm -f "$T2_STATE_DIR/uploader-user.created"
fi
rm -f /usr/local/lib/twister2-cluster/uploader-command
rmdir /usr/local/lib/twister2-cluster 2>/dev/null || true
apt_purge_recorded uploader-account
rm -f /etc/nginx/sites-enabled/twister2-uploader /etc/nginx/sites-available/twister2-uploader "$T2_STATE_DIR/nginx.default-site-off"
if packages_recorded nginx nginx; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
  apt_purge_recorded nginx
elif command -v nginx >/dev/null && systemctl is-active --quiet nginx; then
  nginx -t -q && systemctl reload nginx
fi
step "done"
