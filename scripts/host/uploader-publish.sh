# shellcheck shell=bash
# Publishes Twister2's core package: its bytes arrive base64-encoded on stdin and must match SHA256;
# written as NAME in DIRECTORY, owned by the upload account, readable by nginx.
# Settings: DIRECTORY, NAME, SHA256, UPLOAD_USER.
: "${DIRECTORY:?}" "${NAME:?}" "${SHA256:?}" "${UPLOAD_USER:?}"
[ -d "$DIRECTORY" ] || die "$DIRECTORY does not exist (the upload account's step makes it)"
tmp=$(mktemp "${DIRECTORY%/}/.t2-publish.XXXXXX")
trap 'rm -f "$tmp"' EXIT
base64 -d >"$tmp"
got=$(sha256sum "$tmp" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "$NAME arrived with sha256 $got, expected $SHA256"
chown "$UPLOAD_USER:" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "${DIRECTORY%/}/$NAME"
step "published $NAME ($(stat -c %s "${DIRECTORY%/}/$NAME") bytes, sha256 $SHA256)"
