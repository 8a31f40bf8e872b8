#!/usr/bin/env bash
# bench-grow.sh [COUNTS]: what growing a deployed cluster costs, measured on the lab (by hand: lab hosts are
# heavy, so npm test does not run it). The lab grows to 5 hosts plus the sum of COUNTS (default "1 4 8": 18
# hosts); the stack bench-grow, of the dev layout (h1-h3 masters and ZooKeeper, h4 and h5 agents, the
# registry on h1), is deployed cold; then COUNTS agents (swarm-worker and mesos-agent, on fresh hosts) are
# added in turn to the converged stack, one `pulumi up` each. Every up is measured (scripts/bench-up.sh: wall
# time, the longest chain of steps and its steps), and so are the bytes each new agent received during its up:
# from outside the cluster (this machine, the lab's gateway: the apt cache and the package repositories; an
# iptables counter of what it sent the host) and in all (the host's eth0), the rest being from the cluster's
# hosts (the registry's image among them). Destroyed at the end; the lab is left up (scripts/lab.sh down).
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a counts <<<"${1:-1 4 8}"
total=5
for count in "${counts[@]}"; do
  [[ $count =~ ^[1-9][0-9]?$ ]] || { echo "usage: bench-grow.sh [COUNTS], such as \"1 4 8\"" >&2; exit 2; }
  total=$((total + count))
done
stack=bench-grow
chain=T2BENCH-GROW
cleanup() {
  rm -f "Pulumi.$stack.yaml"
  while iptables -D OUTPUT -j "$chain" 2>/dev/null; do :; done
  iptables -F "$chain" 2>/dev/null || true
  iptables -X "$chain" 2>/dev/null || true
}
trap cleanup EXIT

LAB_HOSTS=$total bash scripts/lab.sh up
command -v iptables >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iptables >/dev/null
# shellcheck source=scripts/env.sh
. scripts/env.sh
# shellcheck source=scripts/stack.sh
. scripts/stack.sh
cp Pulumi.dev.yaml "Pulumi.$stack.yaml"
t2_select_stack "$stack"
# inventory FIELD NAME: a lab host's field (node reads the JSON: nothing beyond what set-up installs).
inventory() {
  node -e 'const [field, name] = process.argv.slice(1);
    console.log(require("./.lab/inventory.json").hosts.find((h) => h.name === name)[field]);' "$1" "$2"
}
address_of() { inventory address "$1"; }
container_of() { inventory container "$1"; }
rx_bytes() { docker exec "$(container_of "$1")" cat /sys/class/net/eth0/statistics/rx_bytes; }
iptables -N "$chain" 2>/dev/null || iptables -F "$chain"
iptables -C OUTPUT -j "$chain" 2>/dev/null || iptables -I OUTPUT -j "$chain"
sent_to() { iptables -nvxL "$chain" | awk -v addr="$1" '$NF == addr { print $2; exit }'; }

echo "bench-grow: cold pulumi up of $stack (the dev layout: 2 agents)"
bash scripts/bench-up.sh "$stack" --up
agents=2 next=6
for count in "${counts[@]}"; do
  added=()
  for ((i = next; i < next + count; i++)); do added+=("h$i"); done
  next=$((next + count))
  declare -A rx_before=()
  for name in "${added[@]}"; do
    iptables -A "$chain" -d "$(address_of "$name")"
    rx_before[$name]=$(rx_bytes "$name")
    pulumi config set --stack "$stack" --path "roles.${name}[0]" swarm-worker >/dev/null
    pulumi config set --stack "$stack" --path "roles.${name}[1]" mesos-agent >/dev/null
  done
  echo "bench-grow: adding $count agents (${added[*]}) to $agents"
  bash scripts/bench-up.sh "$stack" --up
  for name in "${added[@]}"; do
    outside=$(sent_to "$(address_of "$name")")
    all=$(($(rx_bytes "$name") - rx_before[$name]))
    printf '  %s received %d bytes: %d from outside the cluster, %d from its hosts\n' "$name" "$all" "$outside" $((all - outside))
  done
  unset rx_before
  agents=$((agents + count))
done

echo "bench-grow: pulumi destroy of $stack ($agents agents)"
started=$SECONDS
pulumi destroy --yes --skip-preview --parallel 32 --non-interactive --stack "$stack" >/dev/null
echo "bench-grow: destroyed in $((SECONDS - started)) s"
pulumi stack rm --yes --stack "$stack" >/dev/null
