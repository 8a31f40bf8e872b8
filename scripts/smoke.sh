#!/usr/bin/env bash
# smoke.sh STACK [options]: runs the smoke job on STACK's cluster (ops/smoke/main.ts; --help for options).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
exec npx --no-install vite-node ops/smoke/main.ts -- "$@"
