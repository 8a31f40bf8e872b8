# shellcheck shell=bash
# Removes the published core package.
# Settings: DIRECTORY, NAME.
: "${DIRECTORY:?}" "${NAME:?}"
rm -f "${DIRECTORY%/}/$NAME"
step "removed $NAME"
