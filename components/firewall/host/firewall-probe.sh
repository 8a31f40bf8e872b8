# shellcheck shell=bash
# npm run check on a host, read only: whether its firewall is loaded (the ports it guards) and starts at boot.
# Runs after framework/check/probe.sh (`fact`).
if command -v nft >/dev/null && nft list table inet twister2_cluster >/dev/null 2>&1; then
  fact loaded "$(nft list table inet twister2_cluster | grep -c 'dport [0-9]* reject') ports guarded"
else
  fact loaded absent
fi
fact boot "$(systemctl is-enabled twister2-cluster-firewall 2>/dev/null || echo absent)"
