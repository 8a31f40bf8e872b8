# shellcheck shell=bash
# A host's packages: what every component on it needs (framework/packages/packages.ts), its repositories
# added first, then everything missing in one apt run, recorded per component. Removes nothing: a
# component's undo purges its own record (after its steps), packages-remove.sh what is left. What each
# component needs is kept on the host too ($T2_STATE_DIR/THING.wants), for its own step to install it
# again after its undo (apt_install_wanted).
# Settings: PACKAGES (lines "THING[/COMMAND] PACKAGE...", a PACKAGE pinned as NAME=VERSION or
# NAME=RELEASE/VERSION,... (lib.sh pins_here); with /COMMAND, nothing is installed for THING
# when COMMAND is on the host and THING has no record, an installation not this program's),
# REPOSITORIES (lines "THING NAME KEY URL DISTRIBUTION COMPONENT": KEY a file that came with the
# scripts or an https URL; URL, KEY and DISTRIBUTION may hold {ID} and {VERSION_CODENAME}, the host's).
: "${PACKAGES=}" "${REPOSITORIES=}"

# Each package as this host takes it: a version pinned per Debian release, this host's release's (pins_here).
PACKAGES=$(while read -r spec packages; do
  # shellcheck disable=SC2086 # the package list is words
  [ -n "$spec" ] && echo "$spec $(pins_here $packages | paste -sd ' ')"
done <<<"$PACKAGES")
rm -f "$T2_STATE_DIR"/*.wants
while read -r spec packages; do
  [ -n "$spec" ] && echo "$packages" >"$T2_STATE_DIR/${spec%%/*}.wants"
done <<<"$PACKAGES"
while read -r thing source; do
  [ -n "$thing" ] && echo "source $source" >>"$T2_STATE_DIR/$thing.wants"
done <<<"$REPOSITORIES"

# A THING whose COMMAND is there already, installed by someone else, gets nothing: neither its packages
# nor its repository (the operator's own, under the same file names perhaps, stays as it is).
wanted=() skipped=()
while read -r spec packages; do
  [ -n "$spec" ] || continue
  thing=${spec%%/*}
  unless=${spec#"$thing"}
  unless=${unless#/}
  if [ -n "$unless" ] && command -v "$unless" >/dev/null 2>&1; then
    if ! packages_recorded "$thing"; then
      step "$unless is installed already, not by this program: $thing stays as it is"
      skipped+=("$thing")
      continue
    fi
    # Ours, from packages none of which is wanted now (docker.io for docker-ce): apt would swap them
    # under the running service. Refused before anything changes. (An install cut short left its
    # packages unpacked: present, so it is finished below.)
    read -r -a listed <<<"$packages"
    present=false
    for pkg in "${listed[@]}"; do packages_present | grep -xF -- "${pkg%%=*}" >/dev/null && present=true; done
    [ "$present" = true ] || die "$thing: $unless comes from packages this program installed, not from $packages;" \
      "it does not replace them in place (apt would, under the running service). Take away this host's roles" \
      "that need $thing (pulumi up removes it), then give them back"
  fi
  wanted+=("$thing $packages")
done <<<"$PACKAGES"
apt_sources_recorded < <(
  while read -r thing source; do
    [ -n "$thing" ] || continue
    printf '%s\n' "${skipped[@]}" | grep -qxF -- "$thing" || echo "$thing $source"
  done <<<"$REPOSITORIES"
)
if [ "${#wanted[@]}" -gt 0 ]; then
  apt_install_all_recorded < <(printf '%s\n' "${wanted[@]}")
fi
step "packages ready"
