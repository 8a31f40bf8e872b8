# shellcheck shell=bash
# The host firewall: the nftables table `inet twister2_cluster`, whose input chain admits to each port
# the cluster's roles listen on only the sources given, and refuses everyone else there (a TCP reset,
# an ICMP port-unreachable); every other port, and outgoing traffic, it leaves alone. Loopback and
# this host's containers (docker0, docker_gwbridge) are always admitted. Docker's own rules live in
# other tables and a Docker restart leaves this one be; twister2-cluster-firewall.service loads it again
# at boot. With RULES empty the firewall is removed (its undo).
# Settings: RULES (lines "PROTOCOL PORT KIND SOURCE...": KIND `clients` or `cluster`; a SOURCE is an
# address, an IPv4 CIDR or a DNS name, resolved here); ADMIT_SSH_CLIENT (`yes`, the default: the
# machine this run came from, its SSH client address, is admitted to the client ports, as it holds the
# keys to every host anyway; `no` for a host reached through a bastion: that address is the bastion's,
# which is admitted nowhere).
: "${RULES=}" "${ADMIT_SSH_CLIENT=yes}"
table=twister2_cluster
dir=/etc/twister2-cluster
file=$dir/firewall.nft
unit=twister2-cluster-firewall.service

if [ -z "$RULES" ]; then
  if [ -f "/etc/systemd/system/$unit" ]; then
    systemctl disable --quiet "$unit" 2>/dev/null || true
    rm -f "/etc/systemd/system/$unit"
    systemctl daemon-reload
  fi
  if command -v nft >/dev/null 2>&1 && nft list table inet "$table" >/dev/null 2>&1; then
    nft delete table inet "$table"
    step "firewall removed"
  fi
  rm -f "$file"
  rmdir "$dir" 2>/dev/null || true
  exit 0
fi
command -v nft >/dev/null 2>&1 || die "nft is not installed (the nftables package, which this host's setup step installs)"

# deployer_address: the SSH client address of the session this script runs in (sudo's environment is
# reset, so it is read from the processes above it).
deployer_address() {
  local pid=$$ client i
  for ((i = 0; i < 12; i++)); do
    pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$pid" ] && [ "$pid" -gt 1 ] || return 0
    client=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^SSH_CLIENT=//p' || true)
    if [ -n "$client" ]; then
      echo "${client%% *}"
      return 0
    fi
  done
}
deployer=
[ "$ADMIT_SSH_CLIENT" != yes ] || deployer=$(deployer_address)

# Every source as addresses or networks, a DNS name resolved now (what it resolves to later is not admitted).
declare -A resolved=()
[ -z "$deployer" ] || resolved[$deployer]=$deployer
while read -r _ _ _ sources; do
  for source in $sources; do
    [ -z "${resolved[$source]:-}" ] || continue
    if [[ "$source" == */* || "$source" =~ ^[0-9.]+$ || "$source" == *:* ]]; then
      resolved[$source]=$source
    else
      resolved[$source]=$(getent ahosts "$source" | awk '{ print $1 }' | sort -u | paste -sd' ' || true)
      [ -n "${resolved[$source]}" ] || die "$source, which the firewall is to admit, does not resolve on this host; give its address"
    fi
  done
done <<<"$RULES"

render() {
  local protocol port kind sources source address
  echo "# Written by twister2-cluster (host firewall); pulumi destroy removes it."
  echo "table inet $table"
  echo "delete table inet $table"
  echo "table inet $table {"
  echo "  chain input {"
  echo "    type filter hook input priority filter - 10; policy accept;"
  echo "    iif lo accept"
  echo "    ct state established,related accept"
  echo '    iifname { "docker0", "docker_gwbridge" } accept'
  while read -r protocol port kind sources; do
    [ -n "$protocol" ] || continue
    # The machine this run came from, as one more source of a client port (once, if a setting names it too).
    [ "$kind" != clients ] || [ -z "$deployer" ] || sources+=" $deployer"
    for source in $sources; do
      for address in ${resolved[$source]}; do
        if [[ "$address" == *:* ]]; then echo "    ip6 saddr $address $protocol dport $port accept"; else echo "    ip saddr $address $protocol dport $port accept"; fi
      done
    done | sort -u
    if [ "$protocol" = tcp ]; then echo "    tcp dport $port reject with tcp reset"; else echo "    udp dport $port reject"; fi
  done <<<"$RULES"
  echo "  }"
  echo "}"
}

install -d -m 0755 "$dir"
if render | write_file "$file" 0644 || ! nft list table inet "$table" >/dev/null 2>&1; then
  # Replaced as a whole, in one transaction: no moment without it.
  nft -f "$file"
  step "firewall loaded: $(grep -c 'dport [0-9]* reject' "$file") ports guarded"
  [ -z "$deployer" ] || step "$deployer, the machine this run came from, is admitted to the client ports"
fi
if cat <<UNIT | write_file "/etc/systemd/system/$unit" 0644; then
# Written by twister2-cluster; pulumi destroy removes it.
[Unit]
Description=twister2-cluster's host firewall (nftables table inet $table)
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f $file
ExecStop=/usr/sbin/nft delete table inet $table

[Install]
WantedBy=sysinit.target
UNIT
  systemctl daemon-reload
fi
systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl enable --quiet "$unit"
