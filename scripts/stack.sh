#!/usr/bin/env bash
# stack.sh STACK: selects STACK in the backend (PULUMI_BACKEND_URL), creating it (passphrase secrets) the first time.
# Meant to be sourced after scripts/env.sh.
t2_select_stack() {
  local stack=$1
  if ! pulumi stack select "$stack" >/dev/null 2>&1; then
    echo "stack: creating stack '$stack' in $PULUMI_BACKEND_URL" >&2
    pulumi stack init "$stack" --secrets-provider passphrase >/dev/null
  fi
}
