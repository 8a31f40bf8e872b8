# shellcheck shell=bash
# The undo of packages-install.sh, after every other step on the host has been undone: purges what is
# left of the packages this program installed (a component's undo purged its own already) and the
# repositories it added.
for record in "$T2_STATE_DIR"/*.packages "$T2_STATE_DIR"/*.sources; do
  [ -f "$record" ] || continue
  thing=${record##*/}
  thing=${thing%.*}
  [ "$thing" = kept ] || apt_purge_recorded "$thing"
done
rm -f "$T2_STATE_DIR"/*.wants
if [ -f "$(package_record kept)" ]; then
  # Still needed by packages this program did not install: they stay.
  step "keeping $(tr '\n' ' ' <"$(package_record kept)")(other packages need them)"
  rm -f "$(package_record kept)"
fi
step "done"
