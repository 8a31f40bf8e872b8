#!/usr/bin/env bash
# diagram.sh STACK [--no-live]: draws STACK's cluster (hosts, ZooKeeper, Mesos, Swarm, overlay network)
# from Pulumi.STACK.yaml as .twister2/STACK/cluster.svg, with live values from `pulumi stack output`
# when the stack is deployed (--no-live: the config only). Needs Graphviz; installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:?usage: npm run diagram -- STACK [--no-live]}
shift
say() { printf 'diagram: %s\n' "$*" >&2; }

if ! command -v dot >/dev/null; then
  say "installing graphviz from Debian (for dot)"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends graphviz >/dev/null
fi

# shellcheck source=scripts/env.sh
. scripts/env.sh
npx --no-install vite-node scripts/diagram-main.ts -- "$stack" "$@"
