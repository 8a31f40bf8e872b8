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
# The policy-breaker e2e program (test/e2e/policy-breaker) has no tsconfig of its own: Pulumi compiles it, and
# what it imports of ours, with ts-node's defaults, which are not strict.
npx --no-install tsc --noEmit --skipLibCheck --target es2020 --module commonjs --moduleResolution node --esModuleInterop test/e2e/policy-breaker/index.ts
npx --no-install madge --circular --no-spinner --extensions ts --ts-config tsconfig.json --exclude '^(node_modules|\.state|\.twister2|\.lab)/' .
