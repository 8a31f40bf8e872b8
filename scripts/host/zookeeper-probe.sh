# shellcheck shell=bash
# Prints "<restart|current> <mode>": whether this server waits for a restart, and its mode by `srvr`.
mode=$(zk_mode)
if [ -e "$T2_STATE_DIR/zookeeper.restart-pending" ]; then state=restart; else state=current; fi
echo "$state ${mode:-down}"
