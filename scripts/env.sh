#!/usr/bin/env bash
# Source this to run `pulumi` by hand against this project's local state:
#   source scripts/env.sh && pulumi stack select dev && pulumi preview
# It puts the project's Pulumi CLI on PATH and points Pulumi at the local file backend, with the
# passphrase (generated once by scripts/setup.sh, never committed) for the stack's secrets.
T2_PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export T2_PROJECT_DIR
# shellcheck source=scripts/pulumi-env.sh
. "$T2_PROJECT_DIR/scripts/pulumi-env.sh"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$T2_PROJECT_DIR/.state/backend}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE_FILE="${PULUMI_CONFIG_PASSPHRASE_FILE:-$T2_PROJECT_DIR/.state/passphrase}"
fi
