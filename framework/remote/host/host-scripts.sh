#!/usr/bin/env bash
# The head of the host-scripts bundle that framework/remote/remote.ts writes: every step script (components/*/host/)
# follows as a `put HASH.sh` block, HASH naming its text (lib.sh + the script), and every host file as
# `put HASH-NAME`. Run as root from the SSH login's home, where the bundle was copied:
#   bash BUNDLE            installs each as /var/lib/twister2-cluster/scripts/HASH.sh or HASH-NAME (kept
#                          while steps may still name it: an undo runs the script it was deployed with),
#                          and the runner that the steps' commands start them with: `twister2-step HASH
#                          LABEL` runs HASH.sh with LABEL ("<address>/<script>") as its $0
#   bash BUNDLE remove     removes them all, the runner and the bundle
# Settings: BUNDLE_HASH (install), the first 16 digits of the bundle's own sha256, so a stale copy is refused.
set -euo pipefail
dir=/var/lib/twister2-cluster/scripts
runner=/usr/local/bin/twister2-step
bundle=$(readlink -f "$0")
if [ "${1:-}" = remove ]; then
  # /run/lock/twister2-cluster: where versions before 2026-12 kept the steps' locks.
  rm -rf "$dir" /run/twister2-cluster /run/lock/twister2-cluster
  rmdir /var/lib/twister2-cluster 2>/dev/null || true
  rm -f "$runner" "$bundle"
  printf '[%s] host scripts removed\n' "$(hostname)" >&2
  exit 0
fi
: "${BUNDLE_HASH:?}"
got=$(sha256sum "$bundle" | cut -d' ' -f1)
[ "${got:0:16}" = "$BUNDLE_HASH" ] || { printf '[%s] %s is %s, expected %s\n' "$(hostname)" "$bundle" "${got:0:16}" "$BUNDLE_HASH" >&2; exit 1; }
install -d -m 0755 /var/lib/twister2-cluster
install -d -m 0700 "$dir"
install -d -m 0755 "$(dirname "$runner")"
cat >"$runner.tmp" <<'RUNNER'
#!/bin/bash
# twister2-cluster's step runner: its host-scripts bundle installed it, pulumi destroy removes it.
[[ $# -eq 2 && $1 =~ ^[0-9a-f]{16}$ ]] || { echo "usage: twister2-step HASH LABEL" >&2; exit 2; }
exec bash -c ". /var/lib/twister2-cluster/scripts/$1.sh" "$2"
RUNNER
chmod 0755 "$runner.tmp"
mv -f "$runner.tmp" "$runner"
installed=0
# put FILE: the file's text, base64-encoded, on stdin.
put() {
  if [ ! -f "$dir/$1" ]; then
    base64 -d >"$dir/$1.tmp"
    mv -f "$dir/$1.tmp" "$dir/$1"
    installed=$((installed + 1))
  else
    cat >/dev/null
  fi
}
trap 'printf "[%s] host scripts and files: %d new\n" "$(hostname)" "$installed" >&2' EXIT
