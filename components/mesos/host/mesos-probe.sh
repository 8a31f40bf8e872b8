# shellcheck shell=bash
# npm run check on a Mesos host, read only: the state of each of its daemons' units, and the Mesos package's version.
# Runs after framework/check/probe.sh (`fact`, `unit_state`). Settings: DAEMONS (mesos-master and/or
# mesos-agent), PACKAGE (mesos.repository.package).
: "${DAEMONS?}" "${PACKAGE?}"
for daemon in $DAEMONS; do
  fact "$daemon" "$(unit_state "$daemon")"
done
fact version "$(dpkg-query -W -f='${Version}' "$PACKAGE" 2>/dev/null || echo absent)"
