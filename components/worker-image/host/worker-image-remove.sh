# shellcheck shell=bash
# Removes the Twister2 worker image builds from this host, and the base image if this program imported it.
# Settings: IMAGE_REPO, BASE_IMAGE.
readonly label=org.twister2-cluster.worker-image
readonly imported_list="$T2_STATE_DIR/worker-image-imported-bases"

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  step "no Docker engine answers: no image to remove"
  exit 0
fi

while read -r image; do
  [ -n "$image" ] || continue
  # Finished worker containers of the image (not started with --rm) would keep it.
  docker ps -a -q --filter "ancestor=$image" --filter status=exited --filter status=created | xargs -r docker rm >/dev/null || true
  step "removing $image"
  docker image rm "$image" >/dev/null || step "WARNING: $image is in use by a running container; left in place"
done < <(docker image ls "$IMAGE_REPO" --filter "label=$label=$IMAGE_REPO" --format '{{.Repository}}:{{.Tag}}')

if grep -qxF "$BASE_IMAGE" "$imported_list" 2>/dev/null; then
  step "removing the base image $BASE_IMAGE (imported by this program)"
  docker image rm "$BASE_IMAGE" >/dev/null || step "WARNING: $BASE_IMAGE is still in use; left in place"
  grep -vxF "$BASE_IMAGE" "$imported_list" >"$imported_list.tmp" || true
  mv "$imported_list.tmp" "$imported_list"
  [ -s "$imported_list" ] || rm -f "$imported_list"
fi
