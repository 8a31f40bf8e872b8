# shellcheck shell=bash
# Removes the published core package, and its copy in the SSH login's home if one is left.
# Settings: DIRECTORY, NAME, STAGED.
: "${DIRECTORY:?}" "${NAME:?}" "${STAGED:?}"
rm -f "${DIRECTORY%/}/$NAME" "$STAGED"
step "removed $NAME"
