#!/usr/bin/env bash
# schema.sh: writes what is generated from the code: schema/pulumi-stack.schema.json, the JSON Schema of
# Pulumi.<stack>.yaml, and docs/configuration.md, the reference of every setting, from the config's zod
# schemas (framework/config/schema.ts); docs/cluster.svg, the picture of Pulumi.prod.yaml, from the
# components' drawings (needs Graphviz's dot). Run it after changing a setting or a drawing; unit tests
# fail while a committed file differs from what the code makes.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install vite-node scripts/schema-main.ts
