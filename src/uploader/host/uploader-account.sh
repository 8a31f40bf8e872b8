# shellcheck shell=bash
# The upload account: a dedicated user (never root) that logs in only with the given public keys and
# owns DIRECTORY, where Twister2 runs `rsync -a <dir>/ <user>@<host>:<DIRECTORY>` and `ssh ... mkdir -p`
# / `rm -rf`. Records what it created, so that its undo removes only that.
# Settings: UPLOAD_USER, DIRECTORY (absolute, trailing '/'), PUBLIC_KEYS (one OpenSSH key a line), PACKAGES
# (rsync and sshd; the host's packages step installed them already unless this account was replaced).
: "${UPLOAD_USER:?}" "${DIRECTORY:?}" "${PUBLIC_KEYS:?}" "${PACKAGES:?}"
[ "$UPLOAD_USER" != root ] || die "the upload account must not be root"
read -r -a packages <<<"$PACKAGES"
apt_install_recorded uploader-account "${packages[@]}"

if ! id "$UPLOAD_USER" >/dev/null 2>&1; then
  step "creating the upload account $UPLOAD_USER"
  # Recorded first: a run cut short after useradd still owns the account, and its undo removes it.
  echo "$UPLOAD_USER" >"$T2_STATE_DIR/uploader-user.created"
  useradd --create-home --shell /bin/bash --user-group --comment "Twister2 job package uploads" "$UPLOAD_USER"
elif [ "$(cat "$T2_STATE_DIR/uploader-user.created" 2>/dev/null)" != "$UPLOAD_USER" ]; then
  die "user $UPLOAD_USER exists and was not made by this program; set uploader.user to an account of its own"
fi
# No password at all ('*', not the locked '!'): keys are the only way in.
[ "$(getent shadow "$UPLOAD_USER" | cut -d: -f2)" = '*' ] || usermod -p '*' "$UPLOAD_USER"
home=$(getent passwd "$UPLOAD_USER" | cut -d: -f6)
group=$(id -gn "$UPLOAD_USER")
install -d -m 0700 -o "$UPLOAD_USER" -g "$group" "$home/.ssh"
# Uploads need a shell for rsync and mkdir/rm, nothing else: no forwarding of any kind.
keys=$(printf '%s\n' "$PUBLIC_KEYS" | sed '/^$/d; s/^/no-port-forwarding,no-agent-forwarding,no-X11-forwarding /')
if printf '%s\n' "$keys" | write_file "$home/.ssh/authorized_keys" 0600; then
  step "authorized_keys for $UPLOAD_USER: $(printf '%s\n' "$keys" | wc -l) key(s)"
fi
chown "$UPLOAD_USER:$group" "$home/.ssh/authorized_keys"

# The topmost directory this creates is removed on undo; a directory that existed stays.
dir=${DIRECTORY%/}
make_dir_recorded "$dir" "$T2_STATE_DIR/uploader-directory.created" && step "created $DIRECTORY"
# Readable by nginx (www-data) through "other"; only the account writes.
chown "$UPLOAD_USER:$group" "$dir"
chmod 0755 "$dir"
echo "$UPLOAD_USER"
