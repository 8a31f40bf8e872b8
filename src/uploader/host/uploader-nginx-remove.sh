# shellcheck shell=bash
# Removes the uploader's nginx site; removes nginx too if this program installed it, else reloads it.
rm -f /etc/nginx/sites-enabled/twister2-uploader /etc/nginx/sites-available/twister2-uploader "$T2_STATE_DIR/nginx.default-site-off"
if packages_recorded nginx nginx; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
  apt_purge_recorded nginx
elif command -v nginx >/dev/null && systemctl is-active --quiet nginx; then
  nginx -t -q && systemctl reload nginx
fi
step "done"
