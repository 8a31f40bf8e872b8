# shellcheck shell=bash
# Installs ZooKeeper (Debian/Ubuntu zookeeperd). Configuration is zookeeper-configure.sh's job.
if ! dpkg-query -W -f='${Status}' zookeeperd 2>/dev/null | grep -q 'install ok installed'; then
  apt_install zookeeperd netcat-openbsd
  touch "$T2_STATE_DIR/zookeeper.installed"
fi
step "zookeeper $(dpkg-query -W -f='${Version}' zookeeper) installed"
