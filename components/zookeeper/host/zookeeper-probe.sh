# shellcheck shell=bash
# npm run check on a ZooKeeper server, read only: its mode as `srvr` reports it, its id, and its package's version.
# Runs after framework/check/probe.sh (`fact`). Settings: CLIENT_PORT.
: "${CLIENT_PORT?}"
mode=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CLIENT_PORT; echo srvr >&3; cat <&3" 2>/dev/null |
  sed -n 's/^Mode: //p' || true)
fact mode "${mode:-down}"
fact id "$(cat /var/lib/zookeeper/myid 2>/dev/null || echo absent)"
fact version "$(dpkg-query -W -f='${Version}' zookeeperd 2>/dev/null || echo absent)"
