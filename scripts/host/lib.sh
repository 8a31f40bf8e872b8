#!/usr/bin/env bash
# Shared helpers, prefixed to every host script by components/remote.ts (scriptCommand).
# Scripts run as root through sudo; their settings arrive as environment variables.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# State this program keeps on a host: what it installed, so that delete undoes only that.
readonly T2_STATE_DIR=/var/lib/twister2-cluster

# step MESSAGE: a progress line on stderr, shown live in `pulumi up` (stdout carries the script's result).
step() {
  printf '[%s] %s: %s\n' "$(hostname)" "${0##*/}" "$*" >&2
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
  with_apt_lock dpkg_recover
  [ -n "${T2_APT_UPDATED:-}" ] || apt_update
  # Downloads first, bounded and retried; then the installation itself, which is never interrupted.
  with_apt_lock apt_fetch 900 install -y -qq --no-install-recommends --download-only "${missing[@]}"
  with_apt_lock apt_get install -y -qq --no-install-recommends "${missing[@]}"
}

# dpkg_recover: finishes a package run that was cut short (its SSH connection dropped, the machine lost
# power), which apt otherwise refuses to go past ("dpkg was interrupted").
dpkg_recover() {
  if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ] || [ -n "$(dpkg --audit 2>/dev/null)" ]; then
    step "finishing an interrupted package run (dpkg --configure -a)"
    dpkg --force-confdef --force-confold --configure -a
  fi
}

# apt_update: refreshes the package lists (bounded and retried, see apt_fetch).
apt_update() {
  with_apt_lock apt_fetch 300 update -qq
  T2_APT_UPDATED=1
}

# apt_purge PACKAGE...: removes packages and what only they needed.
apt_purge() {
  with_apt_lock dpkg_recover
  with_apt_lock apt_get purge -y -qq "$@"
  with_apt_lock apt_get autoremove -y -qq --purge
}

# with_apt_lock COMMAND...: runs an apt command quietly (errors still reach stderr, and so the user),
# holding this host's package lock: steps on one host run in parallel, and apt's own locks fail rather
# than wait.
with_apt_lock() {
  (
    flock -w 900 9 || die "another package operation held /run/lock/twister2-cluster-apt.lock for 15 minutes"
    "$@" >/dev/null 2> >(grep -v '^debconf: delaying' >&2)
  ) 9>/run/lock/twister2-cluster-apt.lock
}

# apt-get's options for every run: wait for package operations not ours (unattended-upgrades), and give
# up on a silent connection after 30 s (apt then retries it).
readonly T2_APT_OPTIONS=(-o DPkg::Lock::Timeout=600 -o Acquire::http::Timeout=30 -o Acquire::Retries=3)

# apt_get ARGS...: apt-get with T2_APT_OPTIONS.
apt_get() {
  apt-get "${T2_APT_OPTIONS[@]}" "$@"
}

# apt_fetch SECONDS ARGS...: an apt-get run that only downloads (update, install --download-only), ended
# after SECONDS and tried up to three times: a stalled mirror or proxy connection would otherwise hold
# the step (and this host's package lock) for ever.
apt_fetch() {
  local seconds=$1 attempt
  shift
  for attempt in 1 2 3; do
    timeout -k 10 "$seconds" apt-get "${T2_APT_OPTIONS[@]}" "$@" && return 0
    step "apt-get $1 did not complete within ${seconds}s (attempt $attempt of 3)"
  done
  die "apt-get $* failed three times; check this host's package sources and proxy"
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

# zk_mode [ADDRESS]: a ZooKeeper server's mode by `srvr` (leader, follower, standalone), empty when it
# does not serve.
zk_mode() {
  echo srvr | nc -q 2 -w 3 "${1:-127.0.0.1}" 2181 2>/dev/null | sed -n 's/^Mode: //p' || true
}

# make_dir_recorded DIR MARKER: makes DIR if it is missing (returns 1 if it was there) and records the
# topmost directory it made in MARKER (once), so that the undo removes only what this program made.
make_dir_recorded() {
  local dir=$1 marker=$2 top=$1
  [ ! -d "$dir" ] || return 1
  while [ ! -e "$(dirname "$top")" ]; do top=$(dirname "$top"); done
  mkdir -p "$dir"
  [ -f "$marker" ] || echo "$top" >"$marker"
}

# remove_dir_recorded DIR MARKER: the undo of make_dir_recorded: removes DIR and its parents up to the
# recorded topmost one, each only while empty (data stays), then forgets the record.
remove_dir_recorded() {
  local dir=$1 marker=$2 top
  [ -f "$marker" ] || return 0
  top=$(cat "$marker")
  while rmdir "$dir" 2>/dev/null; do
    [ "$dir" = "$top" ] && break
    dir=$(dirname "$dir")
  done
  rm -f "$marker"
}

# purge_if_only_ours PACKAGE...: purges those still installed, unless that would take along a package
# not in the list (then says which ones need them, and keeps them).
purge_if_only_ours() {
  local left=() pkg others
  for pkg in "$@"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' && left+=("$pkg")
  done
  [ "${#left[@]}" -gt 0 ] || return 0
  others=$(apt-get -s purge "${left[@]}" | awk '/^Purg / { sub(/:.*/, "", $2); print $2 }' | grep -vxF -f <(printf '%s\n' "$@") || true)
  if [ -z "$others" ]; then
    step "removing ${left[*]}"
    apt_purge "${left[@]}"
  else
    step "keeping ${left[*]}: $(echo "$others" | tr '\n' ' ')need them"
  fi
}

mkdir -p "$T2_STATE_DIR"

# wait_for_quietly SECONDS COMMAND...: like wait_for, but returns 1 on time-out for the caller to explain.
wait_for_quietly() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}
