#!/usr/bin/env bash
# All set-up, then the unit tests and the end-to-end tests against the lab with the real Pulumi
# engine. The lab is torn down when the run ends, whether it passed or not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
trap 'bash scripts/lab.sh down' EXIT
bash scripts/lint.sh
mkdir -p .state
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.state/vitest-report.json "$@" || status=$?
trap - EXIT
bash scripts/lab.sh down
# The closing line CI reads, whatever the reporter printed above it.
# shellcheck disable=SC2016 # ${...} is JavaScript here
node -e 'const r = require(process.argv[1]);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' \
  "$PWD/.state/vitest-report.json" || true
exit "$status"
