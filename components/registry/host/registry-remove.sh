# shellcheck shell=bash
# The undo of registry-server.sh: stops the two services, and removes their unit, the registry's
# configuration, certificates and accounts, and every image it stored; then the packages, if this program
# installed them (the package's own service was off: it goes with them).
for mode in pull push; do
  systemctl disable --now --quiet "twister2-registry@$mode" 2>/dev/null || true
done
rm -f /etc/systemd/system/twister2-registry@.service
systemctl daemon-reload
if [ -d /etc/twister2-registry ]; then
  step "removing the registry's configuration, certificates and accounts"
  rm -rf --one-file-system /etc/twister2-registry
fi
if [ -d /var/lib/docker-registry/docker ]; then
  step "removing the registry's images"
  rm -rf --one-file-system /var/lib/docker-registry/docker
fi
apt_purge_recorded registry
