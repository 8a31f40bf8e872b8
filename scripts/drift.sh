#!/usr/bin/env bash
# drift.sh STACK [--markdown]: has the cluster drifted from STACK? (ops/drift/main.ts; changes nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
exec npx --no-install vite-node ops/drift/main.ts -- "$@"
