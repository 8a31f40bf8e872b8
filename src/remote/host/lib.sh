#!/usr/bin/env bash
# Shared helpers, prefixed to every host script by src/remote/remote.ts (scriptCommand).
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
# than wait. Within COMMAND the lock is held already, and nested calls just run.
with_apt_lock() {
  if [ -n "${T2_APT_LOCKED:-}" ]; then
    "$@"
    return
  fi
  (
    flock -w 900 9 || die "another package operation held /run/lock/twister2-cluster-apt.lock for 15 minutes"
    export T2_APT_LOCKED=1
    "$@" >/dev/null 2> >(grep -v '^debconf: delaying' >&2)
  ) 9>/run/lock/twister2-cluster-apt.lock
}

# apt_install_recorded RECORD PACKAGE...: apt_install, remembering in RECORD (one name a line) what this
# program brought onto the host: the missing PACKAGEs (written before the install starts, so that an
# install cut short is still undone) and then what came with them. The second list is taken under the
# host's package lock, so packages that other steps install meanwhile are not counted; a package that
# was there before (also one being upgraded meanwhile) and an essential one never are.
apt_install_recorded() {
  local record=$1 missing=() pkg
  shift
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  printf '%s\n' "${missing[@]}" >>"$record"
  with_apt_lock install_and_record "$record" "${missing[@]}"
  T2_APT_UPDATED=1
}

# install_and_record RECORD PACKAGE...: apt_install_recorded's part under the lock.
install_and_record() {
  local record=$1 before
  shift
  before=$(packages_present)
  apt_install "$@"
  comm -13 <(echo "$before") <(packages_present) |
    grep -vxF -f <(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" { print $1 }') >>"$record" || true
  sort -u -o "$record" "$record"
}

# packages_present: every package dpkg has, in any state but not-installed and config-files, sorted.
packages_present() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 !~ /^.[nc]/ { print $2 }' | sort
}

# apt_purge_recorded RECORD: the undo of apt_install_recorded, then RECORD is forgotten. What was asked
# for (apt marks it manually installed) is purged with autoremove, which keeps the dependencies that other
# packages still need (packages installed since may share them); then what came with it and autoremove
# kept (one of ours suggests it), each only if its purge takes nothing along that RECORD does not list.
apt_purge_recorded() {
  local record=$1 recorded=() asked=() pkg
  [ -f "$record" ] || return 0
  mapfile -t recorded <"$record"
  if [ "${#recorded[@]}" -gt 0 ]; then
    for pkg in $(apt-mark showmanual "${recorded[@]}" 2>/dev/null); do
      dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' && asked+=("$pkg")
    done
    if [ "${#asked[@]}" -gt 0 ]; then
      step "removing ${asked[*]}"
      apt_purge "${asked[@]}"
    fi
    purge_if_only_ours "${recorded[@]}"
  fi
  rm -f "$record"
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
  local seconds=$1 attempt status
  shift
  for attempt in 1 2 3; do
    status=0
    timeout -k 10 "$seconds" apt-get "${T2_APT_OPTIONS[@]}" "$@" || status=$?
    [ "$status" -eq 0 ] && return 0
    if [ "$status" -eq 124 ]; then
      step "apt-get $1 did not complete within ${seconds}s (attempt $attempt of 3)"
    else
      step "apt-get $1 failed with status $status (attempt $attempt of 3)"
    fi
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

# purge_if_only_ours PACKAGE...: purges each of those still installed whose purge takes along only
# packages in the list (another that needs it keeps it, and the step says which).
purge_if_only_ours() {
  local ours purgeable=() pkg others
  ours=$(printf '%s\n' "$@")
  for pkg in "$@"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || continue
    others=$(apt-get -s purge "$pkg" | awk '/^Purg / { sub(/:.*/, "", $2); print $2 }' | grep -vxF -f <(echo "$ours") || true)
    if [ -z "$others" ]; then
      purgeable+=("$pkg")
    else
      step "keeping $pkg, which $(echo "$others" | tr '\n' ' ')still needs"
    fi
  done
  [ "${#purgeable[@]}" -gt 0 ] || return 0
  step "removing ${purgeable[*]}"
  apt_purge "${purgeable[@]}"
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
