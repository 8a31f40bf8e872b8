#!/usr/bin/env bash
# Shared helpers, prefixed to every host script by components/remote.ts (scriptCommand).
# Scripts run as root through sudo; their settings arrive as environment variables.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# State this program keeps on a host: what it installed, so that delete undoes only that.
readonly T2_STATE_DIR=/var/lib/twister2-cluster

# step MESSAGE: a progress line on stderr, shown live in `pulumi up` (stdout carries the script's result).
step() {
  printf '[%s] %s: %s\n' "$(hostname)" "${T2_STEP:-${0##*/}}" "$*" >&2
}

die() {
  step "ERROR: $*"
  exit 1
}

# apt_install PACKAGE...: installs what is missing, refreshing package lists at most once per run.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  step "installing ${missing[*]}"
  # Quiet: apt's errors still reach stderr, and so the user; its chatter does not.
  if [ -z "${T2_APT_UPDATED:-}" ]; then
    apt_get update -qq >/dev/null
    T2_APT_UPDATED=1
  fi
  apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# apt_get ARGS...: apt-get that waits for other package operations on the host instead of failing.
apt_get() {
  apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# wait_for SECONDS DESCRIPTION COMMAND...: retries COMMAND every second until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${seconds}s waiting for ${what}"
    sleep 1
  done
}

# write_file PATH MODE: writes stdin to PATH if the content differs; returns 0 when it changed.
write_file() {
  local target=$1 mode=$2 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$target" ] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
    return 1
  fi
  install -D -m "$mode" "$tmp" "$target"
  rm -f "$tmp"
  return 0
}

mkdir -p "$T2_STATE_DIR"
