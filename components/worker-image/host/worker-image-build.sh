# shellcheck shell=bash
# Builds the Twister2 worker image on this host: where it runs (no registry), or once for the cluster's registry.
# Settings: IMAGE (name:content-hash), BASE_IMAGE, BASE_IMAGE_URL (optional: a rootfs
# tarball imported as BASE_IMAGE when the host lacks it), APT_PROXY (optional, for apt during the build),
# DOCKERFILE and INIT_SH (the build context, from components/worker-image/image/: host files, delivered with the scripts);
# with a registry, PUSH_TO (<registry>/<name>:<content-hash>) and REGISTRY_CA (its CA's certificate), and
# the push account on stdin ("<user> <password>").
# Prints the image id, or with a registry the digest it gave the image. An image already tagged IMAGE is
# the same content: nothing to build.
readonly label=org.twister2-cluster.worker-image
readonly repository=${IMAGE%:*}
readonly imported_list="$T2_STATE_DIR/worker-image-imported-bases"

wait_for 180 "the Docker engine on this host" docker info

# One build at a time, whatever its settings (the step's own lock is per settings): a build that a killed
# `pulumi up` left running (its output goes to a file, so it outlives its SSH session) finishes first,
# rather than tagging IMAGE over this run's build later.
exec 8>"$T2_LOCK_DIR/worker-image-build.lock"
if ! flock -n 8; then
  step "waiting for an earlier build (of a run that was cut short) to finish"
  flock -w 1800 8 || die "an earlier build held $T2_LOCK_DIR/worker-image-build.lock for 30 minutes"
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  step "$IMAGE is already built"
else
  if [ -n "${BASE_IMAGE_URL:-}" ] && ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    step "importing $BASE_IMAGE from $BASE_IMAGE_URL"
    curl --fail --silent --show-error --location --connect-timeout 20 --max-time 1800 "$BASE_IMAGE_URL" |
      docker import - "$BASE_IMAGE" >/dev/null ||
      die "could not import $BASE_IMAGE from $BASE_IMAGE_URL (a Debian 12 rootfs tarball); check workerImage.baseImageUrl"
    # Destroy removes a base image only if this program imported it.
    grep -qxF "$BASE_IMAGE" "$imported_list" 2>/dev/null || echo "$BASE_IMAGE" >>"$imported_list"
  fi

  context=$(mktemp -d)
  log="$context.log"
  trap 'rm -rf "$context" "$log"' EXIT
  cp "$(host_file "$DOCKERFILE")" "$context/Dockerfile"
  cp "$(host_file "$INIT_SH")" "$context/init.sh"
  step "building $IMAGE from $BASE_IMAGE (a JRE from Debian: a minute or two)"
  # The host's network: the apt proxy is reached as from the host (no bridge NAT needed).
  build() {
    docker build --network host --label "$label=$repository" \
      --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "APT_PROXY=${APT_PROXY:-}" \
      -t "$IMAGE" "$context" </dev/null >"$log" 2>&1
  }
  failed() { tail -n 30 "$log" >&2; die "docker build of $IMAGE failed$1 (see above)"; }
  if ! build; then
    # The runtime failing to start a build step's container (runc's "read init-p: connection reset by
    # peer", seen on busy hosts) is no fault of the Dockerfile: one more try, said so.
    grep -q 'OCI runtime create failed' "$log" || failed ""
    step "WARNING: the container runtime failed to start a build container: $(grep -m1 -o 'OCI runtime create failed.*' "$log" | cut -c1-200); building once more"
    build || failed " twice"
  fi
fi

# Older builds of this image (another Dockerfile, init.sh or base) go; ones in use stay. Images built
# FROM it inherit the label, so only this repository's tags count.
while read -r old; do
  if [ -z "$old" ] || [ "$old" = "$IMAGE" ]; then continue; fi
  step "removing the previous build $old"
  docker image rm "$old" >/dev/null 2>&1 || step "WARNING: $old is in use; left in place"
done < <(docker image ls "$repository" --filter "label=$label=$repository" --format '{{.Repository}}:{{.Tag}}')

if [ -z "${PUSH_TO:-}" ]; then
  docker image inspect -f '{{.Id}}' "$IMAGE"
  exit 0
fi

registry=${PUSH_TO%%/*}
trust_registry "$registry" "${REGISTRY_CA:?}"
docker tag "$IMAGE" "$PUSH_TO"
step "pushing $PUSH_TO"
# A push of what the registry holds already sends no layer: a re-run is quick. Its errors show as they come.
digest=$(with_registry_login "$registry" timeout 900 docker push "$PUSH_TO" |
  sed -n 's/^.*digest: \(sha256:[0-9a-f]\{64\}\).*$/\1/p' | tail -n 1) ||
  die "docker push of $PUSH_TO failed (see above)"
[ -n "$digest" ] || die "docker push of $PUSH_TO printed no digest"
# Earlier pushes' tags go from this host (the registry keeps what it stored).
while read -r old; do
  if [ -z "$old" ] || [ "$old" = "$PUSH_TO" ]; then continue; fi
  docker image rm "$old" >/dev/null 2>&1 || true
done < <(docker image ls "${PUSH_TO%:*}" --format '{{.Repository}}:{{.Tag}}')
step "the registry holds $PUSH_TO as $digest"
echo "$digest"
