# shellcheck shell=bash
# Keeps in the registry only the images the stack runs, so that its store does not grow with every new
# worker image: each tagged manifest of each repository that is not one of KEEP is deleted through the
# push service, and then the registry's garbage collector removes the manifests no tag names and the
# blobs no manifest uses. It runs
# after the image's build and the agents' pulls (the build is the only pusher: no upload is under way).
# Settings: PUSH_ADDRESS (host:port), KEEP (image references "<address>/<repository>@sha256:...", space
# separated); the push account on stdin ("<user> <password>").
# Prints "deleted <n> tags; the store holds <size>".
: "${PUSH_ADDRESS:?}" "${KEEP:?}"
readonly conf=/etc/twister2-registry store=/var/lib/docker-registry
read -r user password || true
[ -n "${password:-}" ] || die "no push account on standard input"
keep=" "
for image in $KEEP; do keep+="${image#*/} "; done

# registry PATH [CURL OPTION...]: a call of the push service's API, the account on curl's config (not its arguments).
registry() {
  local path=$1
  shift
  curl -sS --fail --max-time 30 --cacert "$conf/ca.crt" -K <(printf 'user = "%s:%s"\n' "$user" "$password") "$@" "https://$PUSH_ADDRESS/v2/$path"
}
manifest_types=(-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json'
  -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' -H 'Accept: application/vnd.oci.image.index.v1+json')
pruned=0
repositories=$(registry '_catalog?n=1000' | jq -r '.repositories[]?') || die "the registry at $PUSH_ADDRESS does not list its repositories"
for repository in $repositories; do
  for tag in $(registry "$repository/tags/list" | jq -r '.tags[]?'); do
    # (A tag whose manifest went with another tag's is gone by now.)
    digest=$(registry "$repository/manifests/$tag" -I "${manifest_types[@]}" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p') || continue
    if [ -z "$digest" ] || [[ "$keep" == *" $repository@$digest "* ]]; then continue; fi
    step "deleting $repository:$tag ($digest): the stack runs another image"
    registry "$repository/manifests/$digest" -X DELETE -o /dev/null || die "the registry refused to delete $repository@$digest"
    pruned=$((pruned + 1))
  done
done
# A rebuild pushed under the same tag left the manifest it replaced untagged: collected too.
step "collecting the manifests no tag names and the blobs no manifest uses"
runuser -u docker-registry -- docker-registry garbage-collect --delete-untagged "$conf/push.yml" >/dev/null
echo "deleted $pruned tags; the store holds $(du -sh "$store" | cut -f1)"
