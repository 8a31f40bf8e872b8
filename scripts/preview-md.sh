#!/usr/bin/env bash
# preview-md.sh STACK: what `pulumi up` would change on STACK, as Markdown (for pull requests).
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:?usage: npm run preview:md -- STACK}
# shellcheck source=scripts/env.sh
. scripts/env.sh
preview=$(mktemp)
trap 'rm -f "$preview"' EXIT
if ! pulumi preview --json --non-interactive --stack "$stack" >"$preview"; then
  echo "preview:md: pulumi preview failed for stack $stack (see above)" >&2
  exit 1
fi
npx --no-install vite-node scripts/preview-md-main.ts -- "$stack" <"$preview"
