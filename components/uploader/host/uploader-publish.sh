# shellcheck shell=bash
# Publishes Twister2's core package: the file copied to STAGED (in the SSH login's home, the working
# directory here) must match SHA256; it is moved to NAME in DIRECTORY, owned by the upload account,
# readable by nginx. Settings: DIRECTORY, NAME, SHA256, UPLOAD_USER, STAGED.
: "${DIRECTORY:?}" "${NAME:?}" "${SHA256:?}" "${UPLOAD_USER:?}" "${STAGED:?}"
[ -d "$DIRECTORY" ] || die "$DIRECTORY does not exist (the upload account's step makes it)"
published="${DIRECTORY%/}/$NAME"
if [ ! -f "$STAGED" ] && [ -f "$published" ] && [ "$(sha256sum "$published" | cut -d' ' -f1)" = "$SHA256" ]; then
  step "$NAME is published already (sha256 $SHA256)"
  exit 0
fi
[ -f "$STAGED" ] || die "the core package was not copied to $PWD/$STAGED"
got=$(sha256sum "$STAGED" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "$NAME arrived with sha256 $got, expected $SHA256 (it changed while pulumi ran: run pulumi up again)"
tmp=$(mktemp "${DIRECTORY%/}/.t2-publish.XXXXXX")
trap 'rm -f "$tmp"' EXIT
mv -f "$STAGED" "$tmp"
chown "$UPLOAD_USER:" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$published"
step "published $NAME ($(stat -c %s "$published") bytes, sha256 $SHA256)"
