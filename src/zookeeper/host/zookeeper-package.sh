# shellcheck shell=bash
# Installs ZooKeeper (Debian/Ubuntu zookeeperd) and prints its version. Configuration is
# zookeeper-configure.sh's job.
apt_install_recorded zookeeper zookeeperd netcat-openbsd
version=$(package_version zookeeper)
step "zookeeper $version installed"
echo "$version"
