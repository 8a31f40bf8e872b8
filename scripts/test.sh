#!/usr/bin/env bash
# All set-up, then the unit tests and the end-to-end tests against the lab with the real Pulumi
# engine. The lab is torn down when the run ends, whether it passed or not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
trap 'bash scripts/lab.sh down' EXIT
shellcheck -x scripts/*.sh scripts/host/*.sh
npx tsc --noEmit
npx vitest run "$@"
