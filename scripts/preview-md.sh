#!/usr/bin/env bash
# preview-md.sh STACK: what `pulumi up` would change on STACK, as Markdown (for pull requests). The
# preview runs through Pulumi's Automation API (scripts/preview-md-main.ts); only the Markdown goes to
# stdout, the CLI's errors and warnings to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:?usage: npm run preview:md -- STACK}
# shellcheck source=scripts/env.sh
. scripts/env.sh
npx --no-install vite-node scripts/preview-md-main.ts -- "$stack"
