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
apt_install_recorded mesos "$PACKAGE" curl jq
version=$(package_version "$PACKAGE")
step "$PACKAGE $version installed"
echo "$version"
