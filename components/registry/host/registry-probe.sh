# shellcheck shell=bash
# npm run check on the registry's host, read only: the state of its two services.
# Runs after framework/check/probe.sh (`fact`, `unit_state`). Settings: UNITS.
: "${UNITS:?}"
for unit in $UNITS; do
  fact "$unit" "$(unit_state "$unit")"
done
