# shellcheck shell=bash
# The undo of packages-install.sh, after every other step on the host has been undone: purges what is
# left of the packages this program installed (a component's undo purged its own already), the
# repositories it added and the accounts their packages made.
for record in "$T2_STATE_DIR"/*.packages "$T2_STATE_DIR"/*.sources; do
  [ -f "$record" ] || continue
  thing=${record##*/}
  thing=${thing%.*}
  [ "$thing" = kept ] || apt_purge_recorded "$thing"
done
rm -f "$T2_STATE_DIR"/*.wants
# The accounts those packages made, which their purge leaves (an install cut short and never finished
# made its own too): users first (each may own its group).
record_new_accounts
if [ -f "$T2_STATE_DIR/accounts" ]; then
  for kind in user group; do
    while read -r name; do
      getent "$([ "$kind" = user ] && echo passwd || echo group)" "$name" >/dev/null || continue
      if [ "$kind" = user ] && pgrep -u "$name" >/dev/null; then
        step "keeping the user $name: processes still run as it"
      elif [ "$kind" = user ]; then
        step "removing the user $name (its packages made it)"
        userdel "$name"
      else
        step "removing the group $name (its packages made it)"
        groupdel "$name" 2>/dev/null || step "keeping the group $name: an account has it as its primary group"
      fi
    done < <(sed -n "s/^$kind //p" "$T2_STATE_DIR/accounts" | sort -u)
  done
  rm -f "$T2_STATE_DIR/accounts"
fi
if [ -f "$(package_record kept)" ]; then
  # Still needed by packages this program did not install: they stay.
  step "keeping $(tr '\n' ' ' <"$(package_record kept)")(other packages need them)"
  rm -f "$(package_record kept)"
fi
step "done"
