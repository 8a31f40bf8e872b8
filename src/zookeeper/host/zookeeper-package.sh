# shellcheck shell=bash
# Installs ZooKeeper (Debian/Ubuntu zookeeperd) and prints its version. Configuration is
# zookeeper-configure.sh's job.
apt_install_recorded "$T2_STATE_DIR/zookeeper.packages" zookeeperd netcat-openbsd
version=$(dpkg-query -W -f='${Version}' zookeeper)
step "zookeeper $version installed"
echo "$version"
