# shellcheck shell=bash
# Prints the swarm's join tokens as JSON on stdout (the caller marks stdout secret and unlogged).
worker=$(docker swarm join-token -q worker)
manager=$(docker swarm join-token -q manager)
printf '{"worker":"%s","manager":"%s"}\n' "$worker" "$manager"
