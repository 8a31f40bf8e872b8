# shellcheck shell=bash
# Installs ZooKeeper (Debian/Ubuntu zookeeperd) and prints its version. Configuration is
# zookeeper-configure.sh's job.
if ! dpkg-query -W -f='${Status}' zookeeperd 2>/dev/null | grep -q 'install ok installed'; then
  apt_install zookeeperd netcat-openbsd
  touch "$T2_STATE_DIR/zookeeper.installed"
fi
version=$(dpkg-query -W -f='${Version}' zookeeper)
step "zookeeper $version installed"
echo "$version"
