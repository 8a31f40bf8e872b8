#!/usr/bin/env bash
# bench-up.sh STACK [--up]: with --up, a `pulumi up` of STACK, measured from its `--json` event stream (each
# event stamped as it arrives): wall time, the longest chain of steps that waited on each other, the sum of
# all steps; always STACK's state bytes per host, from `pulumi stack export`. Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
stack=${1:?usage: bench-up.sh STACK [--up]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/events"
if [ "${2:-}" = --up ]; then
  echo "bench: pulumi up of $stack (--json, each event stamped as it arrives)" >&2
  # shellcheck disable=SC2016 # ${...} is JavaScript here
  pulumi up --yes --skip-preview --parallel 32 --json --non-interactive --stack "$stack" |
    node -e '
      const started = Date.now();
      require("readline").createInterface({ input: process.stdin })
        .on("line", (line) => process.stdout.write(`${Date.now() - started} ${line}\n`));
    ' >"$work/events"
fi
pulumi stack export --stack "$stack" >"$work/state.json"
npx --no-install vite-node scripts/bench-main.ts -- "$stack" "$work/events" "$work/state.json"
