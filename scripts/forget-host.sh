#!/usr/bin/env bash
# forget-host.sh STACK HOST [--force]: a host gone for good leaves STACK's state (ops/forget-host/main.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
exec npx --no-install vite-node ops/forget-host/main.ts -- "$@"
