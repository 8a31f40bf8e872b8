# shellcheck shell=bash
# Waits until the ensemble has formed: exactly one leader, every other server a follower (by `srvr`).
# Prints one line per server: "<address> <mode>". Settings: SERVERS ("id=address ...").
: "${SERVERS:?}"
modes() {
  local server address mode
  for server in $SERVERS; do
    address=${server#*=}
    mode=$(zk_mode "$address")
    echo "$address ${mode:-down}"
  done
}
formed() {
  local lines leaders followers count
  lines=$(modes)
  count=$(wc -w <<<"$SERVERS")
  leaders=$(grep -c ' leader$' <<<"$lines" || true)
  followers=$(grep -c ' follower$' <<<"$lines" || true)
  if [ "$count" -eq 1 ]; then [ "$(grep -c ' standalone$' <<<"$lines" || true)" -eq 1 ]; else
    [ "$leaders" -eq 1 ] && [ "$followers" -eq $((count - 1)) ]; fi
}
step "waiting for the ensemble to form"
wait_for 180 "one leader and $(($(wc -w <<<"$SERVERS") - 1)) followers" formed
modes
