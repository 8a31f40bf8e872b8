# shellcheck shell=bash
# Installs ZooKeeper (Debian/Ubuntu zookeeperd) and prints its version. Configuration is
# zookeeper-configure.sh's job.
if ! dpkg-query -W -f='${Status}' zookeeperd 2>/dev/null | grep -q 'install ok installed'; then
  # Recorded first: destroy purges it even if this install is cut short.
  touch "$T2_STATE_DIR/zookeeper.installed"
  apt_install zookeeperd netcat-openbsd
fi
version=$(dpkg-query -W -f='${Version}' zookeeper)
step "zookeeper $version installed"
echo "$version"
