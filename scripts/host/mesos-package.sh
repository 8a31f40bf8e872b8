# shellcheck shell=bash
# Adds the Mesos apt repository (signed: apt checks it against the given key), installs the package
# and prints its version.
# Settings: REPO_URL, REPO_DISTRIBUTION, REPO_COMPONENT, REPO_KEY (ASCII-armored), PACKAGE.
: "${REPO_URL:?}" "${REPO_DISTRIBUTION:?}" "${REPO_COMPONENT:?}" "${REPO_KEY:?}" "${PACKAGE:?}"
keyring=/etc/apt/keyrings/twister2-mesos.asc
printf '%s\n' "$REPO_KEY" | write_file "$keyring" 0644 || true
if echo "deb [signed-by=$keyring] $REPO_URL $REPO_DISTRIBUTION $REPO_COMPONENT" |
  write_file /etc/apt/sources.list.d/twister2-mesos.list 0644; then
  step "package source: $REPO_URL $REPO_DISTRIBUTION $REPO_COMPONENT"
  apt_update
fi
if ! dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q 'install ok installed'; then
  # Recorded first: destroy purges it even if this install is cut short.
  echo "$PACKAGE" >"$T2_STATE_DIR/mesos.installed"
  apt_install "$PACKAGE"
fi
apt_install curl jq
version=$(dpkg-query -W -f='${Version}' "$PACKAGE")
step "$PACKAGE $version installed"
echo "$version"
