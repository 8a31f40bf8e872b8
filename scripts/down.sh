#!/usr/bin/env bash
# Removes the dev stack's resources from the lab hosts, then the lab itself.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
if [ -f .lab/inventory.json ] && pulumi stack select dev >/dev/null 2>&1; then
  pulumi destroy --yes --skip-preview --parallel 32 --stack dev
fi
bash scripts/lab.sh down
