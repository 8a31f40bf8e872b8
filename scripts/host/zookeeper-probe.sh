# shellcheck shell=bash
# Prints "<restart|current> <mode>": whether this server waits for a restart, and its mode by `srvr`.
mode=$(echo srvr | nc -q 2 -w 3 127.0.0.1 2181 2>/dev/null | sed -n 's/^Mode: //p' || true)
if [ -e "$T2_STATE_DIR/zookeeper.restart-pending" ]; then state=restart; else state=current; fi
echo "$state ${mode:-down}"
