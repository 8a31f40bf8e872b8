# shellcheck shell=bash
# Removes the uploader's nginx site; removes nginx too if this program installed it, else reloads it.
rm -f /etc/nginx/sites-enabled/twister2-uploader /etc/nginx/sites-available/twister2-uploader
if grep -qx nginx "$T2_STATE_DIR/nginx.packages" 2>/dev/null; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
  apt_purge_recorded "$T2_STATE_DIR/nginx.packages"
elif command -v nginx >/dev/null && systemctl is-active --quiet nginx; then
  nginx -t -q && systemctl reload nginx
fi
rmdir "$T2_STATE_DIR" 2>/dev/null || true
step "done"
