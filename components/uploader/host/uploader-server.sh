# shellcheck shell=bash
# The uploader host's two halves of Twister2's uploader:
# - nginx serving DIRECTORY read-only at URL_PATH on PORT: GET and HEAD only (anything else: 405), files
#   only (no listings: a directory is 403, a missing file 404), everything outside URL_PATH 404. Its own
#   site file; when this program installs nginx it disables the package's default site (port 80), an
#   nginx that was there before keeps its sites. The site is checked with `nginx -t` before nginx reloads.
# - the upload account: a dedicated user (never root) that logs in only with the given public keys and
#   owns DIRECTORY, where Twister2 runs `rsync -a <dir>/ <user>@<host>:<DIRECTORY>` and `ssh ... mkdir -p`
#   / `rm -rf`. Each key runs only UPLOAD_COMMAND (uploader-command.sh: those, in DIRECTORY, and nothing
#   else), with no pty and no forwarding. Its home and its .ssh are root's: nothing the account plants
#   there (a link, another key) is followed or read by this step or by sshd. What it creates is
#   recorded, so that its undo (uploader-server-remove.sh) removes only that.
# Their packages the host's setup step installed already, unless this step was undone since.
# Prints nginx's version. Settings: PORT, DIRECTORY (absolute, trailing '/'), URL_PATH ('/.../'),
# UPLOAD_USER, PUBLIC_KEYS (one OpenSSH key a line), UPLOAD_COMMAND (its host file).
: "${PORT:?}" "${DIRECTORY:?}" "${URL_PATH:?}" "${UPLOAD_USER:?}" "${PUBLIC_KEYS:?}" "${UPLOAD_COMMAND:?}"
[ "$UPLOAD_USER" != root ] || die "the upload account must not be root"
site=/etc/nginx/sites-available/twister2-uploader
enabled=/etc/nginx/sites-enabled/twister2-uploader
default_site_off="$T2_STATE_DIR/nginx.default-site-off"

apt_install_wanted nginx
apt_install_wanted uploader-account
if packages_recorded nginx nginx && [ ! -f "$default_site_off" ]; then
  # Only our site: the package's default one would also serve /var/www/html on port 80. Once: an
  # operator may enable it again.
  rm -f /etc/nginx/sites-enabled/default
  touch "$default_site_off"
fi

# Directory locations end in '/', so alias maps the path one to one. Other locations give 404.
other=""
[ "$URL_PATH" = / ] || other="    location / { return 404; }"
previous=$(mktemp)
cp "$site" "$previous" 2>/dev/null || : >"$previous"
if write_file "$site" 0644 <<CONF; then
# Written by twister2-cluster (UploaderServer): Twister2 job packages, download only.
server {
    listen $PORT;
    listen [::]:$PORT;
    server_name _;
    autoindex off;
    server_tokens off;
    if (\$request_method !~ ^(GET|HEAD)\$) {
        return 405;
    }
$other
    location ^~ $URL_PATH {
        alias $DIRECTORY;
        autoindex off;
    }
}
CONF
  step "site twister2-uploader: $DIRECTORY at :$PORT$URL_PATH"
fi
ln -sfn "$site" "$enabled"
nginx_test=$(mktemp)
if ! nginx -t -q 2>"$nginx_test"; then
  cat "$nginx_test" >&2
  # Leave nginx as it was: the previous site, or none.
  if [ -s "$previous" ]; then install -m 0644 "$previous" "$site"; else rm -f "$site" "$enabled"; fi
  rm -f "$previous" "$nginx_test"
  die "nginx refuses the uploader site (nginx -t, above); nothing was reloaded"
fi
rm -f "$previous" "$nginx_test"
systemctl enable nginx >/dev/null 2>&1
# A reload on every run, not only when the site changed: a run cut short between writing the site and
# the reload would otherwise leave nginx serving the previous one.
notify nginx reload
run_handlers

answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/")" != 000 ]; }
if ! wait_for --quiet 30 "nginx to answer on port $PORT" answers; then
  tail -n 15 /var/log/nginx/error.log >&2 || true
  die "nginx does not answer on port $PORT after 30 s (is the port taken? its error log is above)"
fi

# The upload account, and the directory it owns.
login_shell=/bin/sh
upload_command=/usr/local/lib/twister2-cluster/uploader-command
if ! id "$UPLOAD_USER" >/dev/null 2>&1; then
  step "creating the upload account $UPLOAD_USER"
  # Recorded first: a run cut short after useradd still owns the account, and its undo removes it.
  echo "$UPLOAD_USER" >"$T2_STATE_DIR/uploader-user.created"
  # Its home is made below, root's and empty: no skeleton files of the account's own.
  useradd --no-create-home --home-dir "/home/$UPLOAD_USER" --shell "$login_shell" --user-group \
    --comment "Twister2 job package uploads" "$UPLOAD_USER"
elif [ "$(cat "$T2_STATE_DIR/uploader-user.created" 2>/dev/null)" != "$UPLOAD_USER" ]; then
  die "user $UPLOAD_USER exists and was not made by this program; set uploader.user to an account of its own"
fi
# No password at all ('*', not the locked '!'): keys are the only way in.
[ "$(getent shadow "$UPLOAD_USER" | cut -d: -f2)" = '*' ] || usermod -p '*' "$UPLOAD_USER"
# sshd runs the forced command through the login shell: dash reads no startup file the account could write.
[ "$(getent passwd "$UPLOAD_USER" | cut -d: -f7)" = "$login_shell" ] || usermod -s "$login_shell" "$UPLOAD_USER"
home=$(getent passwd "$UPLOAD_USER" | cut -d: -f6)
group=$(id -gn "$UPLOAD_USER")
# The home becomes root's first (its parent is root's, so the path itself cannot be a link the account
# made); from then on the account cannot rename or plant anything in it. What it had planted as .ssh
# (a link, say, to a directory of root's) is removed, never followed.
[ -e "$home" ] || [ -L "$home" ] || mkdir -m 0755 "$home"
if [ -L "$home" ] || [ ! -d "$home" ]; then die "the upload account's home $home is not a directory"; fi
chown root:root "$home"
chmod 0755 "$home"
if [ -L "$home/.ssh" ] || [ ! -d "$home/.ssh" ] || [ "$(stat -c %u "$home/.ssh")" != 0 ]; then
  rm -rf --one-file-system -- "$home/.ssh"
  mkdir -m 0755 "$home/.ssh"
fi
chmod 0755 "$home/.ssh"
install -D -m 0755 "$(host_file "$UPLOAD_COMMAND")" "$upload_command"
keys=$(printf '%s\n' "$PUBLIC_KEYS" | sed "/^$/d; s|^|restrict,command=\"$upload_command $DIRECTORY\" |")
if printf '%s\n' "$keys" | write_file "$home/.ssh/authorized_keys" 0644; then
  step "authorized_keys for $UPLOAD_USER: $(printf '%s\n' "$keys" | wc -l) key(s), uploads into $DIRECTORY only"
fi

# The topmost directory this creates is removed on undo; a directory that existed stays.
dir=${DIRECTORY%/}
make_dir_recorded "$dir" "$T2_STATE_DIR/uploader-directory.created" && step "created $DIRECTORY"
# Readable by nginx (www-data) through "other"; only the account writes.
chown "$UPLOAD_USER:$group" "$dir"
chmod 0755 "$dir"

version=$(package_version nginx)
step "nginx $version serves port $PORT"
echo "$version"
