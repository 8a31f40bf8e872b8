#!/usr/bin/env bash
# bench.sh [STACK [--up]]: how the program scales. Previews synthetic stacks of 10, 100 and 500 hosts (3
# swarm managers, ZooKeeper servers and Mesos masters; the rest swarm workers and Mesos agents) on
# loopback addresses nothing serves: a preview contacts no host. With STACK (a deployed stack), also its
# state bytes per host from `pulumi stack export`. With --up, first a `pulumi up` of STACK, measured from
# its `--json` event stream: wall time, the longest chain of steps that waited on each other, the sum of
# all steps (destroy the stack first to measure a cold up; a converged one shows what a re-run costs)
# (scripts/bench-up.sh).
# bench.sh --grow [COUNTS]: what growing a deployed cluster costs, on a lab of its own (scripts/bench-grow.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --grow) shift; exec bash scripts/bench-grow.sh "$@" ;;
  '') ;;
  *) bash scripts/bench-up.sh "$@" ;;
esac
# shellcheck source=scripts/pulumi-env.sh
. scripts/pulumi-env.sh
work=$(mktemp -d)
trap 'rm -rf "$work"; rm -f Pulumi.bench-[0-9]*.yaml' EXIT

ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519" -C bench
host_key=$(cut -d' ' -f1,2 "$work/id_ed25519.pub")
printf -- '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbench\n-----END PGP PUBLIC KEY BLOCK-----\n' >"$work/repo.asc"
# A throwaway backend (the state export above used the project's, in its own subshell).
# shellcheck disable=SC2031
export PULUMI_BACKEND_URL="file://$work/backend" PULUMI_CONFIG_PASSPHRASE=bench
mkdir -p "$work/backend"

for count in 10 100 500; do
  stack="bench-$count"
  # shellcheck disable=SC2016 # ${...} is JavaScript here
  node -e '
    const [count, key, hostKey, repoKey] = [Number(process.argv[1]), ...process.argv.slice(2)];
    const hosts = [];
    const roles = {};
    for (let i = 0; i < count; i++) {
      const name = `n${i + 1}`;
      // 127.1.x.y: loopback, and nothing listens there.
      hosts.push({ name, address: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, user: "bench", privateKeyFile: key, hostKey });
      roles[name] = i < 3 ? ["swarm-manager", "zookeeper", "mesos-master"] : ["swarm-worker", "mesos-agent"];
    }
    const serverIds = { n1: 1, n2: 2, n3: 3 };
    const config = {
      "twister2-cluster:hosts": hosts,
      "twister2-cluster:roles": roles,
      "twister2-cluster:docker": { source: "docker.io" },
      "twister2-cluster:zookeeper": { serverIds },
      "twister2-cluster:mesos": { repository: { keyFile: repoKey } },
    };
    console.log(JSON.stringify({ config }));
  ' "$count" "$work/id_ed25519" "$host_key" "$work/repo.asc" >"Pulumi.$stack.yaml"
  pulumi stack init "$stack" --secrets-provider passphrase --non-interactive >/dev/null 2>&1
  started=$(date +%s%N)
  pulumi preview --stack "$stack" --non-interactive --parallel 32 >"$work/preview-$count.log" 2>&1 ||
    { tail -20 "$work/preview-$count.log" >&2; exit 1; }
  ms=$((($(date +%s%N) - started) / 1000000))
  resources=$(grep -oE '[0-9]+ to create' "$work/preview-$count.log" | head -1)
  printf 'preview of %3d hosts: %d.%01d s (%s)\n' "$count" $((ms / 1000)) $((ms % 1000 / 100)) "$resources"
done
