#!/usr/bin/env bash
# lint.sh: the static checks — every shell file shellcheck-clean, the provider stand-ins formatted and
# vetted, TypeScript type-checked (strict; the policy-breaker program as Pulumi compiles it), and no import circle among the TypeScript files (type-only
# imports count). npm test runs it before any test.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t shell_files < <(git ls-files --cached --others --exclude-standard '*.sh' 'lab/mesos-standin/mesos-init-wrapper' 'lab/mesos-standin/debian/p*' 'policy/pulumi-analyzer-policy-*')
shellcheck -x "${shell_files[@]}"
(cd lab/providers && test -z "$(gofmt -l .)" && go vet ./...)
npx --no-install tsc --noEmit
# The policy-breaker e2e program (test/e2e/policy-breaker) has no tsconfig of its own: Pulumi's ts-node compiles
# it, and what it imports of ours, with TypeScript's defaults (not strict; zod's declarations without
# esModuleInterop, which ts-node does not report). An error in one of our files fails that program.
if npx --no-install tsc --noEmit --target es2015 --module commonjs --moduleResolution node test/e2e/policy-breaker/index.ts 2>&1 |
  grep -E '^[^ ]+\.ts\([0-9]+,[0-9]+\): error' | grep -v '^node_modules/'; then
  echo "lint: the policy-breaker e2e program does not compile as Pulumi compiles it (above)" >&2
  exit 1
fi
npx --no-install madge --circular --no-spinner --extensions ts --ts-config tsconfig.json --exclude '^(node_modules|\.state|\.twister2|\.lab)/' .
