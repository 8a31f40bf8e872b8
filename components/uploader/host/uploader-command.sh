#!/bin/sh
# shellcheck shell=sh
# The only command the upload account runs: every key in its authorized_keys forces it
# (`restrict,command="<this> DIRECTORY"`), whatever the client asked for (SSH_ORIGINAL_COMMAND). It
# allows what Twister2's uploader does and nothing else:
#   rsync into DIRECTORY       through Debian's rrsync: write only, paths confined to DIRECTORY (given
#                              absolute, as Twister2 gives them, or relative to it)
#   mkdir -p PATH, rm -rf PATH  PATH in DIRECTORY (rm: below it), resolved through any link first
# Anything else (a shell, scp, sftp, another command) is refused. It runs as the account, with the
# account's rights: a path that gets past it still reaches only what the account could write.
# uploader-server.sh installs it (root's, mode 755); its undo removes it.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIRECTORY (from authorized_keys)" >&2; exit 2; }
dir=${1%/}
root=$(realpath -m -- "$dir")
request=${SSH_ORIGINAL_COMMAND:-}

refuse() {
  echo "twister2-cluster: the upload account only uploads job packages into $dir/ (rsync; mkdir -p and rm -rf in it): $1" >&2
  exit 1
}

# inside PATH: PATH (every link resolved) is DIRECTORY (every link resolved) or below it.
inside() {
  case "$1" in
    "$root" | "$root"/*) return 0 ;;
    *) return 1 ;;
  esac
}

case "$request" in
  "rsync --server "*)
    # rrsync reads SSH_ORIGINAL_COMMAND itself. -no-lock: two jobs submitted at once both upload.
    exec /usr/bin/rrsync -wo -absolute -no-lock "$dir" ;;
  "mkdir -p "* | "rm -rf "*) ;;
  "") refuse "no shell" ;;
  *) refuse "refused '${request%% *}'" ;;
esac

# Exactly three words, the path of plain characters (no quoting, globbing or '..' to interpret).
set -f
# shellcheck disable=SC2086 # split into words on purpose
set -- $request
[ $# -eq 3 ] || refuse "one path at a time"
path=${3%/}
case "$path" in
  /*) ;;
  *) refuse "give the path from / (as Twister2 does)" ;;
esac
case "$path" in
  *[!A-Za-z0-9_./-]* | */../* | */.. | */./* | */.) refuse "'$3' is not a plain path" ;;
esac

if [ "$1" = mkdir ]; then
  inside "$(realpath -m -- "$path")" || refuse "$3 is outside $dir/"
  exec mkdir -p -- "$path"
fi
# rm -rf: the link itself goes, never what it points to; so the parent is resolved, not the path.
parent=$(realpath -m -- "$(dirname -- "$path")")
target="$parent/$(basename -- "$path")"
if ! inside "$parent" || [ "$target" = "$root" ]; then refuse "$3 is not below $dir/"; fi
exec rm -rf -- "$target"
