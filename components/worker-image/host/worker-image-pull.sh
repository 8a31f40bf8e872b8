# shellcheck shell=bash
# Pulls the worker image from the cluster's registry, by digest: every agent runs the same bits.
# Settings: IMAGE (<registry>/<name>@sha256:...), REGISTRY (the registry's pull address), REGISTRY_CA (its
# CA's certificate, trusted for that address only); the pull account on stdin ("<user> <password>").
# Prints the image id. An image already here is the same digest: nothing to pull.
: "${IMAGE:?}" "${REGISTRY:?}" "${REGISTRY_CA:?}"
readonly repository=${IMAGE%@*}

wait_for 180 "the Docker engine on this host" docker info
trust_registry "$REGISTRY" "$REGISTRY_CA"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  step "$IMAGE is already here"
else
  step "pulling $IMAGE"
  with_registry_login "$REGISTRY" timeout 900 docker pull --quiet "$IMAGE" >/dev/null ||
    die "docker pull of $IMAGE from $REGISTRY failed (see above)"
fi

# Other digests of the image (earlier builds) go; ones in use stay.
while read -r old; do
  if [ -z "$old" ] || [ "$old" = "$IMAGE" ]; then continue; fi
  step "removing the previous image $old"
  docker image rm "$old" >/dev/null 2>&1 || step "WARNING: $old is in use; left in place"
done < <(docker image ls "$repository" --digests --format '{{.Repository}}@{{.Digest}}')

docker image inspect -f '{{.Id}}' "$IMAGE"
