#!/usr/bin/env bash
# The main job: set-up, the lab, and the dev stack deployed onto it. Prints the stack's outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/lab.sh up
# shellcheck source=scripts/env.sh
. scripts/env.sh
# shellcheck source=scripts/stack.sh
. scripts/stack.sh
t2_select_stack dev
# A run of this that was killed: its lock and its pending operations are settled first.
bash scripts/recover.sh dev
started=$SECONDS
pulumi up --yes --skip-preview --parallel 32 --policy-pack policy --stack dev
echo "up: pulumi up took $((SECONDS - started))s" >&2
pulumi stack output --stack dev
