#!/usr/bin/env bash
# check.sh STACK [--json]: is the live cluster what STACK says? (ops/check/main.ts; reads, changes nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
exec npx --no-install vite-node ops/check/main.ts -- "$@"
