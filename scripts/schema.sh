#!/usr/bin/env bash
# schema.sh: writes schema/pulumi-stack.schema.json, the JSON Schema of Pulumi.<stack>.yaml, and
# docs/configuration.md, the reference of every setting, from the
# config's zod schemas (framework/config/schema.ts). Run it after changing a setting; a unit test fails while
# the committed file differs from what the schemas make.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install vite-node scripts/schema-main.ts
