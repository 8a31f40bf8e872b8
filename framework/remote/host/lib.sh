#!/usr/bin/env bash
# Shared helpers, prefixed to every host script by framework/remote/remote.ts (scriptCommand). Scripts run as
# root through sudo; their settings arrive as environment variables; stdout is the step's result; each
# holds its step's lock while it runs (see T2_LOCK_DIR).
#   step MESSAGE, die MESSAGE                   a progress line on stderr; that as an error, and exit 1
#   wait_for [--quiet] SECONDS WHAT COMMAND...  COMMAND every second until it succeeds, SECONDS at most
#   write_file PATH MODE <TEXT                  TEXT into PATH if it differs; succeeds when it changed
#   notify UNIT [restart|reload], notified UNIT, run_handlers
#                                               "changed, so restart once" (Ansible's handlers)
#   package_installed PACKAGE, package_version PACKAGE, apt_update (refreshes the package lists)
#   apt_install_recorded THING PACKAGE..., apt_install_all_recorded <"THING PACKAGE..." lines,
#   apt_purge_recorded THING, packages_recorded THING [PACKAGE]
#                                               packages this program installs, recorded, and their undo
#   apt_source_recorded THING NAME KEY "URL DISTRIBUTION COMPONENT", apt_sources_recorded <lines
#                                               an apt repository, recorded (apt_purge_recorded removes it)
#   apt_install_wanted THING                    what the host's setup step installed for THING, again if missing
#   pins_here SPEC..., pins_differing THING, apt_install_pins PACKAGE=VERSION..., apt_install_pins_of THING
#                                               THING's pinned versions the host does not run yet; installed
#   host_file NAME                              the path of a file that came with the scripts (remote.ts hostFile)
#   make_dir_recorded DIR MARKER, remove_dir_recorded DIR MARKER
#                                               a directory this program makes, and its undo
#   with_registry_login REGISTRY COMMAND...     COMMAND logged in to a Docker registry as the account on stdin
# The other functions serve these.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# State this program keeps on a host: what it installed, so that delete undoes only that.
readonly T2_STATE_DIR=/var/lib/twister2-cluster
mkdir -p "$T2_STATE_DIR"

# step MESSAGE: a progress line on stderr, shown live in `pulumi up` (stdout carries the script's result),
# naming the host; the step's command names the script.
step() {
  printf '[%s] %s\n' "$(hostname)" "$*" >&2
}

die() {
  step "ERROR: $*"
  exit 1
}

# Every step ends within an hour: each wait below has a shorter bound of its own, and this is the one
# behind them, for a command that never returns (Pulumi's customTimeouts would not end it: the command
# provider bounds only its dials with them). The script runs again under timeout(1), which ends its
# whole process group; the undo or the next run finishes what it cut short (dpkg_recover).
if [ -z "${T2_STEP_SCRIPT:-}" ]; then
  export T2_STEP_SCRIPT="${BASH_SOURCE[0]}"
  status=0
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout --kill-after=30 1h bash -c '. "$T2_STEP_SCRIPT"' "$0" || status=$?
  case "$status" in
    124 | 137) die "gave up after an hour: a command did not end (the last lines above say which)" ;;
  esac
  exit "$status"
fi

# One run of a step at a time: a run that an interrupted `pulumi up` or `destroy` left going on this host
# (its SSH connection gone, the script not) finishes before the same script with the same settings (sudo's
# command line) runs again, rather than racing it over the same files. Under /run, where only root makes
# directories (not the world-writable /run/lock, where any local user could make it first, with links in
# it for root to follow): gone with a reboot, and refused unless root's alone.
readonly T2_LOCK_DIR=/run/twister2-cluster
mkdir -m 0700 "$T2_LOCK_DIR" 2>/dev/null || true
if [ -L "$T2_LOCK_DIR" ] || [ ! -d "$T2_LOCK_DIR" ] || [ "$(stat -c '%u %a' "$T2_LOCK_DIR")" != "0 700" ]; then
  die "$T2_LOCK_DIR is not root's own directory (mode 700): $(ls -ld "$T2_LOCK_DIR" 2>&1); remove it, and find out who made it"
fi
exec {T2_STEP_LOCK}>"$T2_LOCK_DIR/$(printf '%s\n%s' "$0" "${SUDO_COMMAND:-}" | sha256sum | cut -c 1-16).lock"
if ! flock -n "$T2_STEP_LOCK"; then
  step "waiting for an earlier run of this step, left going by an interrupted pulumi run, to finish"
  flock -w 1200 "$T2_STEP_LOCK" || die "an earlier run of this step is still going after 20 min (an interrupted pulumi run's: see ps -ef)"
fi

# wait_for [--quiet] SECONDS WHAT COMMAND...: runs COMMAND every second until it succeeds. After SECONDS
# it fails the script: "timed out after SECONDS s waiting for WHAT", with what COMMAND's last try wrote on
# stderr. With --quiet it returns 1 instead and says nothing: the caller goes on, or explains (shows a
# log) and fails itself. COMMAND runs in this shell, so it may set variables for the caller.
wait_for() {
  local quiet=false
  if [ "$1" = --quiet ]; then
    quiet=true
    shift
  fi
  local seconds=$1 what=$2 deadline errors cause
  shift 2
  deadline=$((SECONDS + seconds))
  errors=$(mktemp)
  until "$@" >/dev/null 2>"$errors"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      cause=$(tail -n 3 "$errors" | tr -s '\n' ' ' | cut -c 1-300)
      rm -f "$errors"
      [ "$quiet" = false ] || return 1
      die "timed out after ${seconds}s waiting for ${what}${cause:+ (the last try said: ${cause% })}"
    fi
    sleep 1
  done
  rm -f "$errors"
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

# --- "changed, so restart once" ---------------------------------------------------------------------
# A script notifies a unit for each change that needs it (`write_file ... && notify UNIT`), and then
# run_handlers restarts or reloads each notified unit once, in the order first notified.
T2_HANDLERS=() # "UNIT ACTION" entries

# notify UNIT [restart|reload]: asks run_handlers to restart UNIT (the default) or to reload it; a
# restart asked for too covers the reload.
notify() {
  local unit=$1 action=${2:-restart} i
  case "$action" in
    restart | reload) ;;
    *) die "notify $unit: '$action' is neither restart nor reload" ;;
  esac
  for i in "${!T2_HANDLERS[@]}"; do
    if [ "${T2_HANDLERS[i]% *}" = "$unit" ]; then
      [ "$action" = reload ] || T2_HANDLERS[i]="$unit restart"
      return 0
    fi
  done
  T2_HANDLERS+=("$unit $action")
}

# notified UNIT: whether UNIT waits for run_handlers.
notified() {
  local handler
  for handler in "${T2_HANDLERS[@]}"; do
    [ "${handler% *}" != "$1" ] || return 0
  done
  return 1
}

# run_handlers: restarts or reloads each notified unit, once; a unit that is not running is started
# (with `restart`, which also starts afresh a unit that failed or is still activating).
run_handlers() {
  local handler unit action
  for handler in "${T2_HANDLERS[@]}"; do
    unit=${handler% *}
    action=${handler##* }
    if ! systemctl is-active --quiet "$unit"; then
      step "starting $unit"
      systemctl restart "$unit"
    elif [ "$action" = reload ]; then
      step "reloading $unit"
      systemctl reload "$unit"
    else
      step "restarting $unit"
      systemctl restart "$unit"
    fi
  done
  T2_HANDLERS=()
}

# --- packages ------------------------------------------------------------------------------------------
# What this program installs is recorded per THING (a component's part on this host) in
# $T2_STATE_DIR/THING.packages, one name a line; the undo purges only what a record lists.

# package_installed PACKAGE: whether dpkg has PACKAGE installed (not only its configuration files left).
package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# package_version PACKAGE: the installed version of PACKAGE.
package_version() {
  dpkg-query -W -f='${Version}' "$1"
}

# apt_update: refreshes the package lists (bounded and retried, see apt_fetch).
apt_update() {
  with_apt_lock apt_fetch 300 update -qq
  T2_APT_UPDATED=1
}

# apt_install_recorded THING PACKAGE...: installs the PACKAGEs that are missing, refreshing package lists
# at most once per run, and records under THING what this program brought onto the host: the missing
# PACKAGEs (written before the install starts, so that an install cut short is still undone) and then
# what came with them. The second list is taken under the host's package lock, so packages that other
# steps install meanwhile are not counted; a package that was there before (also one being upgraded
# meanwhile) and an essential one never are.
apt_install_recorded() {
  apt_install_all_recorded <<<"$*"
}

# apt_install_all_recorded: apt_install_recorded for several THINGs at once, one "THING PACKAGE..." line
# each on stdin, in a single apt run. What came with the packages is recorded under each THING whose
# own packages bring it (apt's simulation of each alone says which); what none of them alone would
# bring, under all of them.
apt_install_all_recorded() {
  local line thing packages=() pkg missing wanted=()
  while read -r line; do
    [ -n "$line" ] || continue
    read -r thing _ <<<"$line"
    read -r -a packages <<<"${line#"$thing"}"
    missing=()
    for pkg in "${packages[@]}"; do
      package_installed "${pkg%%=*}" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && continue
    printf '%s\n' "${missing[@]%%=*}" >>"$(package_record "$thing")"
    wanted+=("$line")
  done
  [ "${#wanted[@]}" -gt 0 ] || return 0
  with_apt_lock install_and_record "${wanted[@]}"
  T2_APT_UPDATED=1
}

# apt_install_wanted THING: THING's packages (and repository), as the host's setup step listed them in
# THING.wants (packages-install.sh), installed and recorded where missing: a component's step whose undo
# purged them (it was replaced) gets them back. The lists are stated once, in the setup step's settings.
apt_install_wanted() {
  local wants="$T2_STATE_DIR/$1.wants" packages=() source
  [ -f "$wants" ] || die "the host's setup step lists no packages for $1 (is the host given this role?)"
  source=$(sed -n 's/^source //p' "$wants")
  [ -z "$source" ] || apt_sources_recorded <<<"$1 $source"
  read -r -a packages <"$wants"
  apt_install_recorded "$1" "${packages[@]}"
}

# pins_here SPEC...: each package spec as this host takes it, a line each: NAME and NAME=VERSION as they
# are; NAME=RELEASE/VERSION,... (a version per Debian release) as NAME=VERSION for this host's release,
# NAME alone where it names none for it.
pins_here() {
  local spec entry codename
  codename=$(with_os_release '{VERSION_CODENAME}')
  for spec in "$@"; do
    if [[ "$spec" != *=*/* ]]; then
      echo "$spec"
      continue
    fi
    entry=",${spec#*=},"
    entry=${entry#*,"$codename"/}
    if [ "$entry" = ",${spec#*=}," ]; then
      echo "${spec%%=*}"
    else
      echo "${spec%%=*}=${entry%%,*}"
    fi
  done
}

# pins_differing THING: those of THING's packages that the host's setup step lists pinned, "PACKAGE=VERSION"
# (THING.wants), and that the host has at another version. An installed package keeps its version through
# the setup step (apt_install_all_recorded installs what is missing): its service's roll installs the pin,
# on its host's turn, with apt_install_pins.
pins_differing() {
  local packages=() pkg
  read -r -a packages <"$T2_STATE_DIR/$1.wants"
  for pkg in "${packages[@]}"; do
    if [[ "$pkg" == *=* ]] && package_installed "${pkg%%=*}" && [ "$(package_version "${pkg%%=*}")" != "${pkg#*=}" ]; then
      echo "$pkg"
    fi
  done
}

# pins_offered PACKAGE[=VERSION]...: dies naming each pinned version the host's package sources do not
# offer, and the versions they do, after refreshing the package lists once more (a list fetched before the
# version was published, or cut short, would not have it).
pins_offered() {
  local pkg missing=()
  for pkg in "$@"; do
    [[ "$pkg" != *=* ]] || apt-cache show "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  apt_update
  for pkg in "${missing[@]}"; do
    apt-cache show "$pkg" >/dev/null 2>&1 ||
      die "${pkg%%=*} ${pkg#*=} is not offered by this host's package sources (they offer: $(apt-cache madison "${pkg%%=*}" | awk '{ print $3 }' | paste -sd, | sed 's/,/, /g')); pin one of those"
  done
}

# apt_install_pins PACKAGE=VERSION...: those versions in place of the installed ones (an upgrade or a
# downgrade). Services do not restart meanwhile: the caller restarts its own.
apt_install_pins() {
  with_apt_lock install_pins "$@"
}

# apt_install_pins_of THING: THING's pinned versions that the host has not (pins_differing), installed:
# a roll's visit, before it restarts THING's service.
apt_install_pins_of() {
  local pins=()
  mapfile -t pins < <(pins_differing "$1")
  [ "${#pins[@]}" -eq 0 ] || apt_install_pins "${pins[@]}"
}
install_pins() {
  step "installing $*"
  hold_service_starts
  dpkg_recover
  [ -n "${T2_APT_UPDATED:-}" ] || apt_update
  pins_offered "$@"
  apt_fetch 900 install -y -qq --no-install-recommends --allow-downgrades --download-only "$@"
  # A configuration file this program rewrote stays as it is: no question a step cannot answer.
  apt_get install -y -qq --no-install-recommends --allow-downgrades -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
  release_service_starts
  T2_APT_UPDATED=1
}

# apt_purge_recorded THING: the undo of apt_install_recorded and apt_source_recorded, then THING's records
# are forgotten. A package (or source) that another record lists stays: it is that one's to purge. What
# was asked for (apt marks it manually installed) is purged with autoremove, which keeps the
# dependencies that other packages still need (packages installed since may share them); then what
# came with it and autoremove kept (one of ours suggests it), each only if its purge takes nothing along
# that the record does not list. A package kept because another package still needs it goes to the
# shared record "kept", which every later purge tries again: the last component's undo removes it.
apt_purge_recorded() {
  with_apt_lock purge_record "$(package_record "$1")"
  remove_sources_recorded "$1"
}

# purge_record RECORD: apt_purge_recorded's part under the lock (the shared record is read and written).
purge_record() {
  local record=$1 kept_record recorded=() kept=() asked=() pkg
  kept_record=$(package_record kept)
  [ -f "$record" ] || return 0
  mapfile -t recorded < <(grep -vxF -f <(listed_elsewhere "$record" packages) "$record" || true)
  [ -f "$kept_record" ] && mapfile -t kept < <(grep -vxF -f <(listed_elsewhere "$kept_record" packages) "$kept_record" || true)
  if [ "${#recorded[@]}" -gt 0 ]; then
    for pkg in $(apt-mark showmanual "${recorded[@]}" 2>/dev/null); do
      package_installed "$pkg" && asked+=("$pkg")
    done
    if [ "${#asked[@]}" -gt 0 ]; then
      step "removing ${asked[*]}"
      purge_with_autoremove "${asked[@]}"
    fi
  fi
  T2_KEPT_PACKAGES=()
  [ "$(( ${#recorded[@]} + ${#kept[@]} ))" -eq 0 ] || purge_if_only_ours "${recorded[@]}" "${kept[@]}"
  if [ "${#T2_KEPT_PACKAGES[@]}" -gt 0 ]; then
    printf '%s\n' "${T2_KEPT_PACKAGES[@]}" | sort -u >"$kept_record"
  else
    rm -f "$kept_record"
  fi
  rm -f "$record"
}

# listed_elsewhere RECORD KIND: every line of the other records of KIND (packages, sources) but the
# shared "kept" one; at least one line, so that grep -f never gets an empty pattern file.
listed_elsewhere() {
  local other
  echo "/nothing listed/"
  for other in "$T2_STATE_DIR"/*."$2"; do
    [ -f "$other" ] && [ "$other" != "$1" ] && [ "$other" != "$(package_record kept)" ] && cat "$other"
  done
  return 0
}

# packages_recorded THING [PACKAGE]: whether this program installed packages under THING (PACKAGE among
# them, when given), and so its undo purges them.
packages_recorded() {
  local record
  record=$(package_record "$1")
  if [ $# -gt 1 ]; then grep -qxF "$2" "$record" 2>/dev/null; else [ -f "$record" ]; fi
}

# package_record THING: the file that records THING's packages.
package_record() {
  echo "$T2_STATE_DIR/$1.packages"
}

# install_and_record LINE...: apt_install_all_recorded's part under the lock, for its "THING PACKAGE..."
# lines (where the check for what is missing is made again: another step may have installed it meanwhile).
install_and_record() {
  local before line thing packages=() pkg all=() new brings=() i=0
  before=$(packages_present)
  snapshot_accounts
  for line in "$@"; do
    read -r thing _ <<<"$line"
    read -r -a packages <<<"${line#"$thing"}"
    for pkg in "${packages[@]}"; do
      package_installed "${pkg%%=*}" || all+=("$pkg")
    done
  done
  if [ "${#all[@]}" -gt 0 ]; then
    step "installing ${all[*]}"
    hold_service_starts
    dpkg_recover
    [ -n "${T2_APT_UPDATED:-}" ] || apt_update
    pins_offered "${all[@]}"
    if [ "$#" -gt 1 ]; then
      for line in "$@"; do
        read -r thing _ <<<"$line"
        read -r -a packages <<<"${line#"$thing"}"
        brings+=("$(printf '%s\n' "${packages[@]%%=*}"; apt_get -s install --no-install-recommends "${packages[@]}" 2>/dev/null | awk '/^Inst / { print $2 }')")
      done
    fi
    # Downloads first, bounded and retried; then the installation itself, which is never interrupted.
    apt_fetch 900 install -y -qq --no-install-recommends --download-only "${all[@]}"
    apt_get install -y -qq --no-install-recommends "${all[@]}"
    release_service_starts
  fi
  record_new_accounts
  new=$(comm -13 <(echo "$before") <(packages_present) |
    grep -vxF -f <(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" { print $1 }') || true)
  for line in "$@"; do
    read -r thing _ <<<"$line"
    {
      if [ "$#" -gt 1 ]; then
        # What this thing's packages bring, and what none of the things' alone would.
        grep -xF -f <(echo "${brings[i]}") <<<"$new" || true
        grep -vxF -f <(printf '%s\n' "/nothing simulated/" "${brings[@]}") <<<"$new" || true
      else
        echo "$new"
      fi
      cat "$(package_record "$thing")" 2>/dev/null || true
    } | sed '/^$/d' | sort -u >"$(package_record "$thing").tmp"
    mv -f "$(package_record "$thing").tmp" "$(package_record "$thing")"
    i=$((i + 1))
  done
}

# host_file NAME: where the host-scripts bundle put the file NAME (host/host-scripts.sh).
host_file() {
  echo "$T2_STATE_DIR/scripts/$1"
}

# with_os_release TEXT: TEXT with {ID} and {VERSION_CODENAME} replaced by the host's (/etc/os-release),
# for a repository that serves each distribution and release apart (Docker's).
with_os_release() {
  local text=$1 id codename
  # shellcheck source=/dev/null
  id=$(. /etc/os-release && echo "${ID:-}")
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  text=${text//\{ID\}/$id}
  printf '%s\n' "${text//\{VERSION_CODENAME\}/$codename}"
}

# apt_source_recorded THING NAME KEY "URL DISTRIBUTION COMPONENT": the apt repository
# /etc/apt/sources.list.d/NAME.list, signed by KEY (as /etc/apt/keyrings/NAME.asc), recorded under
# THING; succeeds when it changed (refresh the package lists then). KEY is a file that came with the
# scripts, or an https URL to download the ASCII-armored key from (curl is installed for it if missing).
apt_source_recorded() {
  local thing=$1 name=$2 key=$3 where=$4 keyring list changed=1 record downloaded
  keyring=/etc/apt/keyrings/$name.asc
  list=/etc/apt/sources.list.d/$name.list
  record="$T2_STATE_DIR/$thing.sources"
  { printf '%s\n%s\n' "$keyring" "$list"; cat "$record" 2>/dev/null || true; } | sort -u >"$record.tmp"
  mv -f "$record.tmp" "$record"
  # apt needs the CA certificates for an https repository, curl and they for an https key.
  case "$where" in https://*) package_installed ca-certificates || apt_install_recorded "$thing" ca-certificates ;; esac
  case "$key" in
    https://*)
      key=$(with_os_release "$key")
      if ! command -v curl >/dev/null 2>&1 || ! package_installed ca-certificates; then
        apt_install_recorded "$thing" curl ca-certificates
      fi
      downloaded=$(mktemp)
      curl -fsSL --max-time 60 -o "$downloaded" "$key" || die "could not download the signing key of the $name repository from $key"
      grep -q -- "-----BEGIN PGP PUBLIC KEY BLOCK-----" "$downloaded" || die "$key is not an ASCII-armored key"
      write_file "$keyring" 0644 <"$downloaded" && changed=0
      rm -f "$downloaded" ;;
    *) write_file "$keyring" 0644 <"$(host_file "$key")" && changed=0 ;;
  esac
  echo "deb [signed-by=$keyring] $(with_os_release "$where")" | write_file "$list" 0644 && changed=0
  return "$changed"
}

# apt_sources_recorded: apt_source_recorded for each "THING NAME KEY URL DISTRIBUTION COMPONENT" line on
# stdin (packages-install.sh's REPOSITORIES), then the package lists refreshed if any changed.
apt_sources_recorded() {
  local thing name key url distribution component changed=false
  while read -r thing name key url distribution component; do
    [ -n "$thing" ] || continue
    if apt_source_recorded "$thing" "$name" "$key" "$url $distribution $component"; then
      step "package source: $(with_os_release "$url $distribution $component")"
      changed=true
    fi
  done
  [ "$changed" = false ] || apt_update
}

# remove_sources_recorded THING: removes the files apt_source_recorded recorded under THING that no other
# record lists, and forgets the record.
remove_sources_recorded() {
  local record="$T2_STATE_DIR/$1.sources" file
  [ -f "$record" ] || return 0
  while IFS= read -r file; do
    [ -n "$file" ] && rm -f "$file"
  done < <(grep -vxF -f <(listed_elsewhere "$record" sources) "$record" || true)
  rm -f "$record"
}

# packages_present: every package dpkg has, in any state but not-installed and config-files, sorted.
packages_present() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 !~ /^.[nc]/ { print $2 }' | sort
}

# accounts_present: "user NAME" and "group NAME", a line for each account on the host. Those the
# packages this program installs make (zookeeper, docker's group) are recorded in $T2_STATE_DIR/accounts,
# and removed with the last of the packages (packages-remove.sh): their packages' purge leaves them.
accounts_present() {
  { getent passwd | awk -F: '{ print "user " $1 }'; getent group | awk -F: '{ print "group " $1 }'; } | sort
}

# snapshot_accounts, before an install: the accounts there are, kept on the host until the install
# ends (record_new_accounts), so that a run cut short leaves it for the next to finish against.
# record_new_accounts: the accounts made since, added to $T2_STATE_DIR/accounts; the snapshot goes.
readonly T2_ACCOUNTS_SNAPSHOT="$T2_STATE_DIR/accounts.before-install"
snapshot_accounts() {
  [ -f "$T2_ACCOUNTS_SNAPSHOT" ] || accounts_present >"$T2_ACCOUNTS_SNAPSHOT"
}
record_new_accounts() {
  [ -f "$T2_ACCOUNTS_SNAPSHOT" ] || return 0
  comm -13 "$T2_ACCOUNTS_SNAPSHOT" <(accounts_present) >>"$T2_STATE_DIR/accounts"
  rm -f "$T2_ACCOUNTS_SNAPSHOT"
}

# purge_if_only_ours PACKAGE...: purges each of those still installed whose purge takes along only
# packages in the list; another that needs it keeps it (the step says which), and it is added to
# T2_KEPT_PACKAGES.
purge_if_only_ours() {
  local ours purgeable=() pkg others
  ours=$(printf '%s\n' "$@")
  for pkg in "$@"; do
    package_installed "$pkg" || continue
    others=$(apt-get -s purge "$pkg" | awk '/^Purg / { sub(/:.*/, "", $2); print $2 }' | grep -vxF -f <(echo "$ours") || true)
    if [ -z "$others" ]; then
      purgeable+=("$pkg")
    else
      step "keeping $pkg, which $(echo "$others" | tr '\n' ' ')still needs"
      T2_KEPT_PACKAGES+=("$pkg")
    fi
  done
  [ "${#purgeable[@]}" -gt 0 ] || return 0
  step "removing ${purgeable[*]}"
  purge_with_autoremove "${purgeable[@]}"
}

# purge_with_autoremove PACKAGE...: removes packages and what only they needed (apt_purge_recorded's:
# what a script purges comes from its record).
purge_with_autoremove() {
  with_apt_lock dpkg_recover
  with_apt_lock apt_get purge -y -qq "$@"
  with_apt_lock apt_get autoremove -y -qq --purge
}

# dpkg_recover: finishes a package run that was cut short (its SSH connection dropped, the machine lost
# power), which apt otherwise refuses to go past ("dpkg was interrupted").
dpkg_recover() {
  if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ] || [ -n "$(dpkg --audit 2>/dev/null)" ]; then
    step "finishing an interrupted package run (dpkg --configure -a)"
    dpkg --force-confdef --force-confold --configure -a
  fi
}

# Services that packages would start on installing (their postinst, through invoke-rc.d or
# deb-systemd-invoke) are held back while this program installs them, by Debian's policy-rc.d (exit
# 101): each component's step starts its own service once it is configured, after the host's setup step
# has loaded the firewall, so that nothing listens unguarded in between. An operator's own policy-rc.d
# is left as it is (it governs); ours is taken away when the install ends, and by the next package run
# when a step was killed before that (the package lock makes it the only one).
readonly T2_POLICY_RC=/usr/sbin/policy-rc.d
readonly T2_POLICY_RC_MARK="# Written by twister2-cluster while it installs packages; removed when it is done."
ours_policy_rc() { [ -f "$T2_POLICY_RC" ] && grep -qxF -- "$T2_POLICY_RC_MARK" "$T2_POLICY_RC"; }
hold_service_starts() {
  [ ! -e "$T2_POLICY_RC" ] || ours_policy_rc || return 0
  printf '#!/bin/sh\n%s\nexit 101\n' "$T2_POLICY_RC_MARK" >"$T2_POLICY_RC"
  chmod 0755 "$T2_POLICY_RC"
}
release_service_starts() {
  if ours_policy_rc; then rm -f "$T2_POLICY_RC"; fi
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
    flock -w 900 9 || die "another package operation held $T2_LOCK_DIR/apt.lock for 15 minutes"
    export T2_APT_LOCKED=1
    # Progress as it happens (grep buffers a pipe unless told), and all of it before what follows the
    # step: on the way out, the filter gets its end of input and is waited for. The exit status stays
    # the command's (grep's would be 1 whenever the command wrote nothing).
    exec 2> >(grep --line-buffered -v -e '^debconf: delaying' -e 'policy-rc.d returned 101' -e 'policy-rc.d denied execution' >&2)
    T2_APT_FILTER=$!
    trap 'status=$?; release_service_starts; exec 2>&-; wait "$T2_APT_FILTER" || true; exit "$status"' EXIT
    release_service_starts
    "$@" >/dev/null
  ) 9>"$T2_LOCK_DIR/apt.lock"
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

# --- directories -------------------------------------------------------------------------------------

# trust_registry REGISTRY CA: Docker on this host trusts the CA's certificate (its text) for REGISTRY
# (address:port) only, in /etc/docker/certs.d: nothing is an insecure registry.
trust_registry() {
  if printf '%s\n' "$2" | write_file "/etc/docker/certs.d/$1/ca.crt" 0644; then
    step "trusting the registry $1 (its CA in /etc/docker/certs.d/$1)"
  fi
}

# with_registry_login REGISTRY COMMAND...: COMMAND with a Docker client logged in to REGISTRY as the account
# on stdin ("<user> <password>"), in a client config of its own that goes after it: no credential stays on
# the host, and the password is in no process's arguments.
with_registry_login() {
  local registry=$1 user password config status=0
  shift
  read -r user password || true
  [ -n "${password:-}" ] || die "no account for the registry $registry on standard input"
  config=$(mktemp -d)
  if ! DOCKER_CONFIG=$config docker login --username "$user" --password-stdin "$registry" <<<"$password" >/dev/null 2>"$config/login.err"; then
    cat "$config/login.err" >&2
    rm -rf "$config"
    die "the registry $registry refused the login of $user (see above)"
  fi
  DOCKER_CONFIG=$config "$@" </dev/null || status=$?
  rm -rf "$config"
  return "$status"
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
