#!/usr/bin/env bash
# pr-preview.sh STACK: what a pull request's preview job posts for STACK (.github/workflows/preview.yml
# runs it; test/e2e/uploader.e2e.test.ts runs it against the lab's PostgreSQL backend): the per-host
# summary (npm run preview:md, with the policy pack's verdict) and, folded under it, `pulumi preview
# --diff`. Markdown on stdout; exits non-zero when the preview fails or the policy pack blocks it (the
# summary still says which rule), its errors on stderr. It reads the state and the stack config and
# runs nothing on the hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:?usage: pr-preview.sh STACK}
# shellcheck source=scripts/env.sh
. scripts/env.sh
bash scripts/preview-md.sh "$stack"
if ! diff=$(pulumi preview --diff --non-interactive --color never --policy-pack policy --stack "$stack" 2>&1); then
  printf '%s\n' "$diff" >&2
  exit 1
fi
fence='```'
printf '\n<details><summary>pulumi preview --diff</summary>\n\n%s\n%s\n%s\n\n</details>\n' "$fence" "$diff" "$fence"
