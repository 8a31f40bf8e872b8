# shellcheck shell=bash
# Removes what this program put of the Twister2 worker image on this host: its builds (IMAGE_REPO), and the
# base image BASE_IMAGE if this program imported it; the tags it pushed (PUSHED_REPO, <registry>/<name>); the
# copies it pulled (PULLED_REPO, <registry>/<name>); with the registry's certificate for each. Settings:
# those of them that the step had.
readonly label=org.twister2-cluster.worker-image
readonly imported_list="$T2_STATE_DIR/worker-image-imported-bases"

for repository in "${PUSHED_REPO:-}" "${PULLED_REPO:-}"; do
  [ -z "$repository" ] || rm -rf "/etc/docker/certs.d/${repository%%/*}"
done
if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  step "no Docker engine answers: no image to remove"
  exit 0
fi

# remove_images <references: each image, after the finished worker containers (not started with --rm) that would keep it.
remove_images() {
  local image
  while read -r image; do
    [ -n "$image" ] || continue
    docker ps -a -q --filter "ancestor=$image" --filter status=exited --filter status=created | xargs -r docker rm >/dev/null || true
    step "removing $image"
    docker image rm "$image" >/dev/null || step "WARNING: $image is in use by a running container; left in place"
  done
}
[ -z "${IMAGE_REPO:-}" ] || remove_images < <(docker image ls "$IMAGE_REPO" --filter "label=$label=$IMAGE_REPO" --format '{{.Repository}}:{{.Tag}}')
[ -z "${PUSHED_REPO:-}" ] || remove_images < <(docker image ls "$PUSHED_REPO" --format '{{.Repository}}:{{.Tag}}')
[ -z "${PULLED_REPO:-}" ] || remove_images < <(docker image ls "$PULLED_REPO" --digests --format '{{.Repository}}@{{.Digest}}')

if [ -n "${BASE_IMAGE:-}" ] && grep -qxF "$BASE_IMAGE" "$imported_list" 2>/dev/null; then
  step "removing the base image $BASE_IMAGE (imported by this program)"
  docker image rm "$BASE_IMAGE" >/dev/null || step "WARNING: $BASE_IMAGE is still in use; left in place"
  grep -vxF "$BASE_IMAGE" "$imported_list" >"$imported_list.tmp" || true
  mv "$imported_list.tmp" "$imported_list"
  [ -s "$imported_list" ] || rm -f "$imported_list"
fi
