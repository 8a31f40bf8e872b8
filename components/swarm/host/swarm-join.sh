# shellcheck shell=bash
# Joins this host to the swarm with the token read from stdin; prints its node id.
# Settings: JOIN_ADDRESS (the first manager's address:port), ADVERTISE_ADDR, ROLE (worker | manager).
: "${JOIN_ADDRESS:?}" "${ADVERTISE_ADDR:?}" "${ROLE:?}"
swarm_active() { [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ]; }
IFS= read -r token || true
[ -n "$token" ] || die "no join token on standard input"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" = active ]; then
  step "already in the swarm; left alone"
else
  [ "$state" = inactive ] || die "swarm state is '$state'; expected active or inactive"
  step "joining the swarm at $JOIN_ADDRESS as $ROLE"
  # Through Docker's API, as `docker swarm join` does, but with the token in the request body on curl's
  # stdin (printf is bash's own): `--token` would show it in the process list to every local user.
  answer=$(mktemp)
  trap 'rm -f "$answer"' EXIT
  status=$(printf '{"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"%s","RemoteAddrs":["%s"],"JoinToken":"%s"}' \
    "$ADVERTISE_ADDR" "$JOIN_ADDRESS" "$token" |
    curl -sS --max-time 120 --unix-socket /var/run/docker.sock -o "$answer" -w '%{http_code}' \
      -H 'Content-Type: application/json' --data-binary @- http://localhost/swarm/join) ||
    die "could not reach the Docker engine's API to join the swarm"
  [ "$status" = 200 ] || die "joining the swarm at $JOIN_ADDRESS failed (HTTP $status): $(sed -n 's/.*"message":"\(.*\)".*/\1/p' "$answer")"
fi
wait_for 60 "the swarm to report this node active" swarm_active
docker info --format '{{.Swarm.NodeID}}'
