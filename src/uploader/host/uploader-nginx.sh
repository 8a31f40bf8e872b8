# shellcheck shell=bash
# nginx serving DIRECTORY read-only at URL_PATH on PORT: GET and HEAD only (anything else: 405), files
# only (no listings: a directory is 403, a missing file 404), everything outside URL_PATH 404. Its own
# site file; when this program installs nginx it disables the package's default site (port 80), an nginx
# that was there before keeps its sites. The site is checked with `nginx -t` before nginx reloads.
# Settings: PORT, DIRECTORY (absolute, trailing '/'), URL_PATH ('/.../'), PACKAGES (nginx's, which the host's
# packages step installed already unless this step was undone since).
: "${PORT:?}" "${DIRECTORY:?}" "${URL_PATH:?}" "${PACKAGES:?}"
site=/etc/nginx/sites-available/twister2-uploader
enabled=/etc/nginx/sites-enabled/twister2-uploader
default_site_off="$T2_STATE_DIR/nginx.default-site-off"

read -r -a packages <<<"$PACKAGES"
apt_install_recorded nginx "${packages[@]}"
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
if ! nginx -t -q 2>/tmp/t2-nginx-test; then
  cat /tmp/t2-nginx-test >&2
  # Leave nginx as it was: the previous site, or none.
  if [ -s "$previous" ]; then install -m 0644 "$previous" "$site"; else rm -f "$site" "$enabled"; fi
  rm -f "$previous" /tmp/t2-nginx-test
  die "nginx refuses the uploader site (nginx -t, above); nothing was reloaded"
fi
rm -f "$previous" /tmp/t2-nginx-test
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
version=$(package_version nginx)
step "nginx $version serves port $PORT"
echo "$version"
