#!/usr/bin/env bash
# recover.sh STACK: after a killed `pulumi up` or `destroy`: clears STACK's lock if the process that held
# it no longer runs, and settles the killed run's pending operations (ops/recover/main.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
[ $# -eq 1 ] || { echo "usage: npm run recover -- STACK" >&2; exit 2; }
exec npx --no-install vite-node ops/recover/main.ts -- "$@"
