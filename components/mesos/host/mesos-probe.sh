# shellcheck shell=bash
# npm run check on a Mesos host, read only: the state of each of its daemons' units.
# Runs after framework/check/probe.sh (`fact`, `unit_state`). Settings: DAEMONS (mesos-master and/or mesos-agent).
: "${DAEMONS?}"
for daemon in $DAEMONS; do
  fact "$daemon" "$(unit_state "$daemon")"
done
