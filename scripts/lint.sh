#!/usr/bin/env bash
# lint.sh: the static checks — every shell file shellcheck-clean, the provider stand-ins formatted and
# vetted, TypeScript type-checked (strict), and no import circle among the TypeScript files (type-only
# imports count). npm test runs it before any test.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t shell_files < <(git ls-files --cached --others --exclude-standard '*.sh' 'lab/mesos-standin/mesos-init-wrapper' 'lab/mesos-standin/debian/p*' 'policy/pulumi-analyzer-policy-*')
shellcheck -x "${shell_files[@]}"
(cd lab/providers && test -z "$(gofmt -l .)" && go vet ./...)
npx --no-install tsc --noEmit
npx --no-install madge --circular --no-spinner --extensions ts --ts-config tsconfig.json --exclude '^(node_modules|\.state|\.twister2|\.lab)/' .
