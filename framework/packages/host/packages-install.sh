# shellcheck shell=bash
# A host's packages: what every component on it needs (framework/packages/packages.ts), its repositories
# added first, then everything missing in one apt run, recorded per component. Removes nothing: a
# component's undo purges its own record (after its steps), packages-remove.sh what is left. What each
# component needs is kept on the host too ($T2_STATE_DIR/THING.wants), for its own step to install it
# again after its undo (apt_install_wanted).
# Settings: PACKAGES (lines "THING[/COMMAND] PACKAGE...": with /COMMAND, nothing is installed for THING
# when COMMAND is on the host and THING has no record, an installation not this program's),
# REPOSITORIES (lines "THING NAME KEY-FILE URL DISTRIBUTION COMPONENT").
: "${PACKAGES=}" "${REPOSITORIES=}"

rm -f "$T2_STATE_DIR"/*.wants
while read -r spec packages; do
  [ -n "$spec" ] && echo "$packages" >"$T2_STATE_DIR/${spec%%/*}.wants"
done <<<"$PACKAGES"
while read -r thing source; do
  [ -n "$thing" ] && echo "source $source" >>"$T2_STATE_DIR/$thing.wants"
done <<<"$REPOSITORIES"
apt_sources_recorded <<<"$REPOSITORIES"

wanted=()
while read -r spec packages; do
  [ -n "$spec" ] || continue
  thing=${spec%%/*}
  unless=${spec#"$thing"}
  unless=${unless#/}
  if [ -n "$unless" ] && command -v "$unless" >/dev/null 2>&1 && ! packages_recorded "$thing"; then
    step "$unless is installed already, not by this program: $thing stays as it is"
    continue
  fi
  wanted+=("$thing $packages")
done <<<"$PACKAGES"
if [ "${#wanted[@]}" -gt 0 ]; then
  apt_install_all_recorded < <(printf '%s\n' "${wanted[@]}")
fi
step "packages ready"
