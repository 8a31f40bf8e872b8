# shellcheck shell=bash
# Publishes Twister2's core package: the file copied to STAGED (in the SSH login's home, the working
# directory here) must match SHA256; it becomes NAME in DIRECTORY, owned by the upload account, readable
# by nginx. The account writes it there itself (root only reads the staged copy): DIRECTORY is the
# account's, and a link it planted there would turn root's writes or chown onto a file of root's.
# Settings: DIRECTORY, NAME, SHA256, UPLOAD_USER, STAGED.
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
# Swapped in whole (a temporary name, then a rename), so a download never sees half a file.
# shellcheck disable=SC2016 # expanded by the account's sh
runuser -u "$UPLOAD_USER" -- sh -c 'set -eu
  tmp=$(mktemp "$1/.t2-publish.XXXXXX")
  trap '\''rm -f "$tmp"'\'' EXIT
  cat >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$1/$2"
  trap - EXIT' sh "${DIRECTORY%/}" "$NAME" <"$STAGED" || die "the upload account could not write $published"
rm -f "$STAGED"
got=$(sha256sum "$published" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "$published has sha256 $got after publishing, expected $SHA256"
step "published $NAME ($(stat -c %s "$published") bytes, sha256 $SHA256)"
