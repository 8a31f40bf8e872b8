#!/usr/bin/env bash
# The lab: Debian 12 hosts on this machine (containers running systemd and sshd) for the dev stack.
#   lab.sh up              start the lab (idempotent; a no-op when all hosts are ready), write inventory.json
#   lab.sh status [--json] list the hosts (--json: [{"name","address","container"}])
#   lab.sh replace NAME    a new host for NAME: same name and address, new host key, empty disks (the old
#                          one is removed, running or not); rewrites known_hosts and inventory.json
#   lab.sh sudo-password NAME on|off
#                          on: NAME's login must give a password to sudo (a generated one, kept in
#                          LAB_DIR/hosts/NAME/sudo-password, readable by its owner alone, which inventory.json
#                          names as the host's sudoPasswordFile); off: passwordless sudo again, as built
#   lab.sh bastion on|off  on: a jump host, `bastion` (LAB_SUBNET .10), and a fence on this machine: it can
#                          open no connection to the hosts but through the bastion (as a cluster on a private
#                          network); inventory.json names the bastion on every host. off: the fence and the
#                          bastion gone, the hosts reached directly again. (lab.sh's own ssh to the hosts,
#                          as in status, fails while the fence is up.)
#   lab.sh postgres start|restart
#                          a PostgreSQL of the lab's own (Debian's package) on 127.0.0.1:LAB_PG_PORT, for a
#                          team's shared state; prints nothing, writes its backend URL (with a generated
#                          password) to LAB_DIR/postgres/backend-url, readable by its owner alone
#   lab.sh down            remove hosts, network, per-host data and the daemons the lab started (idempotent)
# Settings (environment):
#   LAB_HOSTS     number of hosts h1..hN (default 5)
#   LAB_TRIXIE_HOSTS  names of the hosts built from Debian 13 (trixie), space-separated (default none:
#                 all Debian 12, bookworm); a running host keeps its release until `replace`
#   LAB_SUBNET    a /24 for the lab bridge (default 10.77.0.0/24; gateway .1, hosts at .11, .12, ...)
#   LAB_DIR       keys, inventory, per-host data, daemon logs (default <project>/.lab)
#   LAB_NAME      docker network and container-name prefix (default t2lab: network t2lab, t2lab-h1...)
#   LAB_APT_PORT  port of the apt cache on the gateway and loopback (default 3142)
#   LAB_REPO_PORT port of the lab's apt repositories (the Mesos and Docker stand-ins) on the gateway (default 3143)
#   LAB_PG_PORT   port of the lab's PostgreSQL on loopback (default 55432)
# Kept across `down` in ${XDG_CACHE_HOME:-~/.cache}/twister2-cluster: the apt cache and the host image.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_HOSTS=${LAB_HOSTS:-5}
LAB_TRIXIE_HOSTS=${LAB_TRIXIE_HOSTS:-}
LAB_SUBNET=${LAB_SUBNET:-10.77.0.0/24}
LAB_DIR=${LAB_DIR:-$root/.lab}
LAB_NAME=${LAB_NAME:-t2lab}
LAB_APT_PORT=${LAB_APT_PORT:-3142}
LAB_REPO_PORT=${LAB_REPO_PORT:-3143}
LAB_PG_PORT=${LAB_PG_PORT:-55432}
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/twister2-cluster"
net_prefix=${LAB_SUBNET%.*}
gateway="$net_prefix.1"
apt_proxy="http://$gateway:$LAB_APT_PORT"
repo_url="http://$gateway:$LAB_REPO_PORT/"
network=$LAB_NAME
user=deploy
say() { printf 'lab: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[[ $LAB_HOSTS =~ ^[1-9][0-9]?$ ]] || die "LAB_HOSTS must be 1..99 (is '$LAB_HOSTS')"
[[ $LAB_SUBNET =~ ^[0-9]+\.[0-9]+\.[0-9]+\.0/24$ ]] || die "LAB_SUBNET must be a /24 like 10.77.0.0/24 (is '$LAB_SUBNET')"
[[ $LAB_REPO_PORT =~ ^[1-9][0-9]*$ ]] || die "LAB_REPO_PORT must be a port number (is '$LAB_REPO_PORT')"
[[ $LAB_NAME =~ ^[a-z][a-z0-9]*$ ]] || die "LAB_NAME must be lower-case letters and digits (is '$LAB_NAME')"
case "$(realpath -m "$LAB_DIR")" in
  / | "$(realpath -m "$HOME")" | "$root") die "LAB_DIR must be a directory of its own (is '$LAB_DIR')" ;;
esac
LAB_DIR=$(realpath -m "$LAB_DIR")
repo_dir="$LAB_DIR/apt-repo"

host_names() { local i; for ((i = 1; i <= LAB_HOSTS; i++)); do echo "h$i"; done; }
host_address() { if [ "$1" = bastion ]; then echo "$net_prefix.10"; else echo "$net_prefix.$((10 + ${1#h}))"; fi; }
container_of() { echo "$LAB_NAME-$1"; }
# release_of NAME: the Debian release NAME is built from (LAB_TRIXIE_HOSTS).
release_of() { case " $LAB_TRIXIE_HOSTS " in *" $1 "*) echo trixie ;; *) echo bookworm ;; esac; }
# The releases the lab's hosts are built from, and so the Docker stand-ins' suites it serves.
lab_releases="bookworm$([ -z "$LAB_TRIXIE_HOSTS" ] || echo " trixie")"
# The lab's containers that exist (any count, also from an earlier LAB_HOSTS), in host order.
lab_containers() {
  docker ps -a --filter "name=^$LAB_NAME-h[0-9]+\$" --format '{{.Names}}' 2>/dev/null | sort -V || true
}

# Whether pid file $1 names a live process whose command is $2.
pid_alive() {
  local pid
  [ -f "$1" ] && pid=$(cat "$1" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# Ends the process in pid file $1 if it is still the command $2 the lab started; waits for it to go.
stop_pid() {
  local file=$1 comm=$2 pid i
  if pid_alive "$file" "$comm"; then
    pid=$(cat "$file")
    say "stopping $comm (pid $pid) that the lab started"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
    [ ! -d "/proc/$pid" ] || { say "$comm (pid $pid) ignores SIGTERM; sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$file"
}

# --- packages on this machine ----------------------------------------------------------------------
# The lab's own small installer: framework/remote/host/lib.sh's (package lock, records for the undo) is for
# cluster hosts, and sourcing it here would make its state directory on this machine.
apt_updated=
installed_here() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_install_here() {
  local missing=() pkg
  for pkg in "$@"; do
    installed_here "$pkg" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing ${missing[*]} on this machine"
  if [ -z "$apt_updated" ]; then apt-get update -q >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# --- the Docker engine ----------------------------------------------------------------------------
start_engine() {
  docker info >/dev/null 2>&1 && return 0
  apt_install_here docker.io
  if ! pid_alive "$LAB_DIR/dockerd.pid" dockerd; then
    say "starting dockerd (log: $LAB_DIR/dockerd.log)"
    setsid dockerd >>"$LAB_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
    echo $! >"$LAB_DIR/dockerd.pid"
  fi
  local i
  for ((i = 0; i < 120; i++)); do docker info >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "dockerd did not come up; see $LAB_DIR/dockerd.log"
}

ensure_network() {
  local subnet
  if subnet=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$network" 2>/dev/null); then
    [ "$subnet" = "$LAB_SUBNET" ] || die "network $network has subnet $subnet, not $LAB_SUBNET; run 'lab.sh down' first"
    return 0
  fi
  docker network create --driver bridge --subnet "$LAB_SUBNET" --gateway "$gateway" \
    --label "twister2-cluster.lab=$LAB_NAME" "$network" >/dev/null
}

# --- the apt cache (Debian's apt-cacher-ng, run as the lab's own process) ---------------------------
# Serves only Debian's archive and security archive (ForceManaged), on the gateway (for the hosts)
# and on loopback (for debootstrap). Its cache outlives `down`, so each package is fetched once.
start_apt_cache() {
  local conf="$LAB_DIR/apt-cacher-ng" cache="$cache_dir/apt-cacher-ng" i
  pid_alive "$LAB_DIR/apt-cacher-ng.pid" apt-cacher-ng && return 0
  if ! installed_here apt-cacher-ng; then
    apt_install_here apt-cacher-ng
    # The package's postinst may have started the system service: that is a process we started. End it.
    stop_pid /run/apt-cacher-ng/pid apt-cacher-ng
  fi
  mkdir -p "$conf" "$cache" "$LAB_DIR/apt-cacher-ng-log"
  echo 'http://deb.debian.org/debian/' >"$conf/backends_debian"
  cat >"$conf/acng.conf" <<EOF
# Generated by scripts/lab.sh; the lab runs apt-cacher-ng with -c $conf.
CacheDir: $cache
LogDir: $LAB_DIR/apt-cacher-ng-log
SupportDir: /usr/lib/apt-cacher-ng
Port: $LAB_APT_PORT
BindAddress: 127.0.0.1 $gateway
PidFile: $LAB_DIR/apt-cacher-ng/daemon.pid
SocketPath: $LAB_DIR/apt-cacher-ng.socket
ForeGround: 1
ForceManaged: 1
Remap-debrep: file:deb_mirror*.gz /debian ; file:backends_debian
Remap-secdeb: security.debian.org security.debian.org/debian-security deb.debian.org/debian-security /debian-security cdn-fastly.deb.debian.org/debian-security ; deb.debian.org/debian-security
ExThreshold: 4
VerboseLog: 1
# Index files (InRelease, Packages) count as fresh for 10 minutes (default 27 s): the lab's hosts run
# apt-get update all at once, and two refreshes of one index in the same second collide ("Failure to
# move file ... out of the way"), leaving a client's apt-get update waiting minutes for its answer.
FreshIndexMaxAge: 600
EOF
  say "starting apt-cacher-ng on $gateway:$LAB_APT_PORT and 127.0.0.1:$LAB_APT_PORT (cache: $cache)"
  setsid apt-cacher-ng -c "$conf" >>"$LAB_DIR/apt-cacher-ng.log" 2>&1 </dev/null 9>&- &
  echo $! >"$LAB_DIR/apt-cacher-ng.pid"
  for ((i = 0; i < 60; i++)); do
    # Any HTTP answer on both addresses will do (it answers 403 for paths it does not serve).
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LAB_APT_PORT/" || true)" != 000 ] &&
      [ "$(curl -s -o /dev/null -w '%{http_code}' "$apt_proxy/" || true)" != 000 ]; then
      return 0
    fi
    pid_alive "$LAB_DIR/apt-cacher-ng.pid" apt-cacher-ng || break
    sleep 0.5
  done
  die "apt-cacher-ng did not start on port $LAB_APT_PORT; see $LAB_DIR/apt-cacher-ng.log"
}

# --- the lab's apt repositories: the stand-ins of Mesos (lab/mesos-standin) and of Docker's packages
# (lab/docker-standin), signed and served ---------------------------------------------------------------
# Hosts install them as they would install the real packages: a signed-by key, a sources.list entry and
# apt-get. Mesos's at the server's root (bookworm main), Docker's under docker/ as download.docker.com
# lays out its Debian repository (bookworm stable). One signing key, in LAB_DIR (made once per lab, no
# passphrase).
repo_gnupg="$LAB_DIR/gnupg"
repo_key_uid="twister2-cluster lab repository <lab@twister2-cluster.invalid>"

# apt_suite DIR SUITE COMPONENT DESCRIPTION DEB...: DIR/pool/SUITE/COMPONENT holds the DEBs, DIR/dists/SUITE
# their index, its Release signed with the lab's key (fingerprint in $fpr). Unchanged DEBs: nothing is done.
apt_suite() {
  local dir=$1 suite=$2 component=$3 description=$4 pool="$1/pool/$2/$3" dist="$1/dists/$2" deb sum file same=1
  shift 4
  for deb in "$@"; do cmp -s "$deb" "$pool/$(basename "$deb")" || same=0; done
  [ "$same" = 1 ] && [ "$(find "$pool" -name '*.deb' 2>/dev/null | wc -l)" -eq $# ] && [ -s "$dist/InRelease" ] && return 0
  rm -rf "$pool" "$dist"
  mkdir -p "$pool" "$dist/$component/binary-amd64"
  cp "$@" "$pool/"
  (cd "$dir" && dpkg-scanpackages --multiversion "pool/$suite" /dev/null 2>/dev/null) >"$dist/$component/binary-amd64/Packages"
  gzip -9nk "$dist/$component/binary-amd64/Packages"
  {
    printf 'Origin: twister2-cluster lab\nLabel: twister2-cluster lab stand-ins\nSuite: %s\nCodename: %s\n' "$suite" "$suite"
    printf 'Date: %s\nArchitectures: amd64\nComponents: %s\nDescription: %s\n' "$(date -Ru)" "$component" "$description"
    for sum in MD5Sum:md5sum SHA256:sha256sum; do
      echo "${sum%%:*}:"
      for file in "$component/binary-amd64/Packages" "$component/binary-amd64/Packages.gz"; do
        printf ' %s %s %s\n' "$("${sum#*:}" <"$dist/$file" | cut -d' ' -f1)" "$(stat -c %s "$dist/$file")" "$file"
      done
    done
  } >"$dist/Release"
  "${gpg[@]}" --yes --local-user "$fpr" --clearsign -o "$dist/InRelease" "$dist/Release"
  "${gpg[@]}" --yes --local-user "$fpr" --armor --detach-sign -o "$dist/Release.gpg" "$dist/Release"
}

# debian_deb RELEASE PACKAGE: Debian's PACKAGE of RELEASE (docker.io, which the Docker stand-ins repackage),
# from Debian's archive through the apt cache (kept in the cache directory).
debian_deb() {
  local release=$1 package=$2 dir="$cache_dir/lab/debs/$1" deb archive="http://127.0.0.1:$LAB_APT_PORT/deb.debian.org/debian" file
  mkdir -p "$dir"
  deb=$(find "$dir" -name "${package}_*.deb" | sort -V | tail -1)
  if [ -z "$deb" ]; then
    say "downloading Debian $release's $package package (for the Docker stand-ins)"
    file=$(curl -sf "$archive/dists/$release/main/binary-amd64/Packages.xz" | xz -dc |
      awk -v want="$package" '$1 == "Package:" { p = ($2 == want) } p && $1 == "Filename:" && !found { print $2; found = 1 }') ||
      die "could not read Debian $release's package index through the apt cache"
    [ -n "$file" ] || die "Debian $release has no $package package"
    { curl -sf -o "$dir/${file##*/}.tmp" "$archive/$file" && mv "$dir/${file##*/}.tmp" "$dir/${file##*/}"; } ||
      die "could not download $file through the apt cache"
    deb="$dir/${file##*/}"
  fi
  echo "$deb"
}

build_repos() {
  local mesos_debs docker_io docker_cli docker_debs fpr release
  local gpg=(gpg --batch --quiet --no-auto-check-trustdb)
  # xz-utils: debian_deb reads Debian's package index (Packages.xz); Debian's priority "standard", not always there.
  apt_install_here dpkg-dev gnupg xz-utils
  mapfile -t mesos_debs < <(bash "$root/lab/mesos-standin/build-deb.sh" "$LAB_DIR/mesos-standin-build")
  [ "${#mesos_debs[@]}" -eq 2 ] || die "building the Mesos stand-in failed (lab/mesos-standin/build-deb.sh)"
  install -d -m 0700 "$repo_gnupg"
  export GNUPGHOME="$repo_gnupg"
  "${gpg[@]}" --list-secret-keys "$repo_key_uid" >/dev/null 2>&1 ||
    "${gpg[@]}" --passphrase '' --quick-gen-key "$repo_key_uid" ed25519 sign never 2>/dev/null
  fpr=$("${gpg[@]}" --with-colons --list-secret-keys "$repo_key_uid" | awk -F: '$1 == "fpr" { print $10; exit }')
  # The Mesos stand-in is one package for both releases (Python); a trixie host is given its bookworm suite,
  # as the program's mesos.repository.distribution names one suite for every host.
  apt_suite "$repo_dir" bookworm main "twister2-cluster lab: Mesos stand-in (not Apache Mesos)" "${mesos_debs[@]}"
  for release in $lab_releases; do
    # Built into the cache: repacking docker.io takes half a minute, and its inputs rarely change.
    # From Debian 13 on, docker.io comes without its CLI, which is docker-cli.
    docker_io=$(debian_deb "$release" docker.io)
    docker_cli=()
    [ "$release" = bookworm ] || docker_cli=("$(debian_deb "$release" docker-cli)")
    mapfile -t docker_debs < <(bash "$root/lab/docker-standin/build-debs.sh" "$cache_dir/lab/docker-standin/$release" "$docker_io" "${docker_cli[@]}")
    [ "${#docker_debs[@]}" -eq 5 ] || die "building the Docker stand-ins from $docker_io failed (lab/docker-standin/build-debs.sh)"
    apt_suite "$repo_dir/docker" "$release" stable "twister2-cluster lab: stand-ins of Docker's packages (not Docker CE)" "${docker_debs[@]}"
  done
  "${gpg[@]}" --armor --export "$fpr" >"$repo_dir/key.asc"
  # gpg started an agent for this GNUPGHOME: end it.
  gpgconf --kill all
  unset GNUPGHOME
}

start_repo_server() {
  local i
  pid_alive "$LAB_DIR/repo-http.pid" python3 && return 0
  say "serving the stand-in repositories on $repo_url (log: $LAB_DIR/repo-http.log)"
  setsid /usr/bin/python3 -m http.server --bind "$gateway" --directory "$repo_dir" "$LAB_REPO_PORT" \
    >>"$LAB_DIR/repo-http.log" 2>&1 </dev/null 9>&- &
  echo $! >"$LAB_DIR/repo-http.pid"
  for ((i = 0; i < 40; i++)); do
    curl -sf -o /dev/null "${repo_url}dists/bookworm/InRelease" && return 0
    pid_alive "$LAB_DIR/repo-http.pid" python3 || break
    sleep 0.25
  done
  die "the repository server did not start on $gateway:$LAB_REPO_PORT; see $LAB_DIR/repo-http.log"
}

# --- the host image: a Debian bookworm rootfs, built once and cached as a tarball ------------------
image_packages=systemd,systemd-sysv,dbus,openssh-server,sudo,iproute2,iputils-ping,curl,ca-certificates,gnupg,procps,less,busybox-static,netcat-openbsd
# Units with nothing to do in a container (they fail or wait for devices there).
masked_units="getty.target console-getty.service systemd-udevd.service systemd-udevd-control.socket
  systemd-udevd-kernel.socket systemd-udev-trigger.service systemd-udev-settle.service systemd-remount-fs.service
  systemd-modules-load.service sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount
  sys-fs-fuse-connections.mount systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer"

# Removes a directory tree that may still have mounts inside (a debootstrap that failed halfway,
# a nested dockerd): unmounts them deepest first, then deletes without crossing into other filesystems.
remove_tree() {
  local dir=$1 mnt
  [ -e "$dir" ] || return 0
  dir=$(realpath "$dir")
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  rm -rf --one-file-system "$dir"
}

# build_rootfs RELEASE TARBALL
build_rootfs() {
  local release=$1 tarball=$2 rootfs unit
  apt_install_here debootstrap
  # Under LAB_DIR, so that `down` also clears what a run stopped halfway left (mounts included).
  rootfs="$LAB_DIR/rootfs"
  remove_tree "$rootfs"
  mkdir -p "$rootfs"
  # shellcheck disable=SC2064 # expand now: the trap outlives this function's locals
  trap "remove_tree '$rootfs'" EXIT
  say "building the $release host image (debootstrap, ~1 min, cached afterwards; log: $LAB_DIR/debootstrap.log)"
  debootstrap --variant=minbase --include="$image_packages" "$release" "$rootfs" \
    "http://127.0.0.1:$LAB_APT_PORT/deb.debian.org/debian" >"$LAB_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $LAB_DIR/debootstrap.log"
  printf 'deb http://deb.debian.org/debian %s main\n' "$release" "$release-updates" >"$rootfs/etc/apt/sources.list"
  printf 'deb http://deb.debian.org/debian-security %s-security main\n' "$release" >>"$rootfs/etc/apt/sources.list"
  # Each host gets its own machine id (systemd makes one at first boot) and the host key the lab pins.
  : >"$rootfs/etc/machine-id"
  rm -f "$rootfs/var/lib/dbus/machine-id" "$rootfs"/etc/ssh/ssh_host_*
  cat >"$rootfs/etc/ssh/sshd_config.d/lab.conf" <<'EOF'
# The lab pins this host key (scripts/lab.sh installs it before the first boot).
HostKey /etc/ssh/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/authorized_keys/%u .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
EOF
  chroot "$rootfs" useradd --create-home --shell /bin/bash "$user"
  echo "$user ALL=(ALL) NOPASSWD:ALL" >"$rootfs/etc/sudoers.d/$user"
  chmod 0440 "$rootfs/etc/sudoers.d/$user"
  for unit in $masked_units; do ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"; done
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  mkdir -p "$(dirname "$tarball")"
  tar --numeric-owner -C "$rootfs" -c . >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  remove_tree "$rootfs"
  trap - EXIT
}

# The recipe (packages, masked units and the build steps) names the image: change it, get a new image.
image_hash=$(printf '%s\n' "$image_packages" "$masked_units" "$(declare -f build_rootfs)" | sha256sum | cut -c1-12)
image_tag_of() { echo "t2lab/debian:$1-$image_hash"; }

# ensure_image RELEASE: the host image of RELEASE, imported (built first unless cached).
ensure_image() {
  local release=$1 tarball="$cache_dir/lab/$1-$image_hash.tar"
  docker image inspect "$(image_tag_of "$release")" >/dev/null 2>&1 && return 0
  [ -s "$tarball" ] || build_rootfs "$release" "$tarball"
  say "importing $(image_tag_of "$release")"
  docker import "$tarball" "$(image_tag_of "$release")" >/dev/null
}

# The same rootfs, served beside the repository as ${repo_url}images/debian-bookworm.tar: the base of
# the Twister2 worker image on lab hosts (workerImage.baseImageUrl), as no registry is reachable.
serve_base_image() {
  local tarball="$cache_dir/lab/bookworm-$image_hash.tar" served="$repo_dir/images/debian-bookworm.tar"
  [ -s "$tarball" ] || build_rootfs bookworm "$tarball"
  [ "$served" -ef "$tarball" ] && return 0
  mkdir -p "$repo_dir/images"
  ln -f "$tarball" "$served" 2>/dev/null || cmp -s "$tarball" "$served" || cp "$tarball" "$served"
}

# --- hosts ------------------------------------------------------------------------------------------
ensure_keys() {
  local name
  [ -f "$LAB_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "twister2-cluster lab" -f "$LAB_DIR/id_ed25519"
  for name in $(host_names) bastion; do
    mkdir -p "$LAB_DIR/hosts/$name"
    [ -f "$LAB_DIR/hosts/$name/ssh_host_ed25519_key" ] ||
      ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$LAB_DIR/hosts/$name/ssh_host_ed25519_key"
  done
}

host_key() { cut -d' ' -f1,2 "$LAB_DIR/hosts/$1/ssh_host_ed25519_key.pub"; }

write_known_hosts() {
  local name
  for name in $(host_names) bastion; do echo "$(host_address "$name"),$name $(host_key "$name")"; done >"$LAB_DIR/known_hosts.tmp"
  mv "$LAB_DIR/known_hosts.tmp" "$LAB_DIR/known_hosts"
}

# Debian's archive through the apt cache; the lab's own repository on the gateway directly.
apt_proxy_conf() {
  printf 'Acquire::http::Proxy "%s";\nAcquire::http::Proxy::%s "DIRECT";\n' "$apt_proxy" "$gateway"
}

# The lab reaches no registry outside it, and its engines must not try: a pull (of an image missing on a host)
# fails at once on a proxy that refuses, rather than leaving the lab's networks. The lab's own network is
# direct: the cluster's registry runs on a lab host. Lab only; the program knows nothing of it.
docker_no_registry_conf() {
  printf '%s\n' '# twister2-cluster lab: no registry outside the lab is reachable; pulls from one fail here at once.' '[Service]' \
    "Environment=HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=localhost,127.0.0.1,$LAB_SUBNET"
}

# Creates the container, copies in the pinned host key, the login key, the apt proxy and the Docker
# engine's no-registry setting, then boots it. Ports below 1024 are root's, as on a machine (Docker
# opens them to every user of a container unless told otherwise): NFS trusts only privileged ports.
create_host() {
  local name=$1 address container dir="$LAB_DIR/hosts/$1" other hosts_args=() release_args=()
  address=$(host_address "$name")
  container=$(container_of "$name")
  for other in $(host_names); do hosts_args+=(--add-host "$other:$(host_address "$other")"); done
  # Debian 13's systemd (257) runs on a cgroup v1 machine only when told to; in a container it reads its
  # "kernel command line" from SYSTEMD_PROC_CMDLINE. (On a cgroup v2 machine it is ignored.)
  [ "$(release_of "$name")" = bookworm ] || release_args=(-e "SYSTEMD_PROC_CMDLINE=SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1")
  mkdir -p "$dir/docker" "$dir/containerd" "$dir/srv"
  rm -rf "${dir:?}/etc"
  mkdir -p "$dir/etc/ssh/authorized_keys" "$dir/etc/apt/apt.conf.d"
  cp "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub" "$dir/etc/ssh/"
  cp "$LAB_DIR/id_ed25519.pub" "$dir/etc/ssh/authorized_keys/$user"
  apt_proxy_conf >"$dir/etc/apt/apt.conf.d/01lab-proxy"
  mkdir -p "$dir/etc/systemd/system/docker.service.d"
  docker_no_registry_conf >"$dir/etc/systemd/system/docker.service.d/90-lab-no-registry.conf"
  docker create --name "$container" --hostname "$name" --network "$network" --ip "$address" "${hosts_args[@]}" \
    --cap-add=ALL --cap-drop=SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    --sysctl net.ipv4.ip_unprivileged_port_start=1024 \
    --tmpfs /run --tmpfs /run/lock -e container=docker "${release_args[@]}" --stop-signal SIGRTMIN+3 \
    -v "$dir/docker:/var/lib/docker" -v "$dir/containerd:/var/lib/containerd" -v "$dir/srv:/srv" \
    --label "twister2-cluster.lab=$LAB_NAME" "$(image_tag_of "$(release_of "$name")")" /sbin/init >/dev/null
  docker cp "$dir/etc/." "$container:/etc/"
  docker start "$container" >/dev/null
}

# The file holding a host's sudo password, when its sudo asks for one (lab.sh sudo-password).
sudo_password_file() { echo "$LAB_DIR/hosts/$1/sudo-password"; }

# lab_sudo_works NAME: the login reaches root through sudo (with the host's password when it asks for one).
lab_sudo_works() {
  local address password_file
  address=$(host_address "$1")
  password_file=$(sudo_password_file "$1")
  if [ -f "$password_file" ]; then
    lab_ssh "$address" "sudo -S -k -p '' true" <"$password_file" 2>/dev/null
  else
    lab_ssh "$address" sudo true 2>/dev/null </dev/null
  fi
}

lab_ssh() {
  local address=$1
  shift
  ssh -i "$LAB_DIR/id_ed25519" -o UserKnownHostsFile="$LAB_DIR/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR "$user@$address" "$@"
}

system_state() { docker exec "$(container_of "$1")" systemctl is-system-running 2>/dev/null || true; }

wait_ready() {
  local name=$1 address state="" i
  address=$(host_address "$name")
  for ((i = 0; i < 240; i++)); do
    state=$(system_state "$name")
    case "$state" in running | degraded) break ;; esac
    sleep 0.5
  done
  case "$state" in
    running) ;;
    degraded)
      say "WARNING: $name is degraded; failed units: $(docker exec "$(container_of "$name")" \
        systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')"
      ;;
    *) say "ERROR: $name did not boot (systemd says '${state:-nothing}'); see: docker logs $(container_of "$name")"; return 1 ;;
  esac
  for ((i = 0; i < 60; i++)); do
    if lab_sudo_works "$name"; then say "$name ready ($address)"; return 0; fi
    sleep 0.5
  done
  say "ERROR: $name ($address) does not accept SSH logins as $user with $LAB_DIR/id_ed25519"
  return 1
}

write_inventory() {
  local name first=1
  {
    printf '{"subnet":"%s","gateway":"%s","aptProxy":"%s","hosts":[' "$LAB_SUBNET" "$gateway" "$apt_proxy"
    for name in $(host_names); do
      [ "$first" = 1 ] || printf ','
      first=0
      printf '\n  {"name":"%s","address":"%s","user":"%s","privateKeyFile":"%s","hostKey":"%s","container":"%s"' \
        "$name" "$(host_address "$name")" "$user" "$LAB_DIR/id_ed25519" "$(host_key "$name")" "$(container_of "$name")"
      [ ! -f "$(sudo_password_file "$name")" ] || printf ',"sudoPasswordFile":"%s"' "$(sudo_password_file "$name")"
      ! fenced || printf ',\n   "bastion":{"address":"%s","user":"%s","port":22,"privateKeyFile":"%s","hostKey":"%s"}' \
        "$(host_address bastion)" "$user" "$LAB_DIR/id_ed25519" "$(host_key bastion)"
      printf '}'
    done
    printf '\n],\n"mesosRepository":{"url":"%s","distribution":"bookworm","component":"main","package":"mesos-standin","keyFile":"%s"},' \
      "$repo_url" "$repo_dir/key.asc"
    printf '\n"dockerRepository":{"url":"%sdocker","component":"stable","keyFile":"%s"}}\n' "$repo_url" "$repo_dir/key.asc"
  } >"$LAB_DIR/inventory.json.tmp"
  mv "$LAB_DIR/inventory.json.tmp" "$LAB_DIR/inventory.json"
}

lab_up() {
  local started=$SECONDS name container pids=() pid failed=0 n
  mkdir -p "$LAB_DIR"
  start_engine
  ensure_network
  # Hosts beyond LAB_HOSTS (from a bigger lab before) go.
  for container in $(lab_containers); do
    n=${container##*-h}
    if [ "$n" -gt "$LAB_HOSTS" ]; then
      say "removing $container (LAB_HOSTS=$LAB_HOSTS)"
      docker rm -f "$container" >/dev/null
      remove_tree "$LAB_DIR/hosts/h$n"
    fi
  done
  start_apt_cache
  build_repos
  start_repo_server
  serve_base_image
  ensure_keys
  write_known_hosts
  for name in $(host_names); do
    container=$(container_of "$name")
    if [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ]; then
      # Hosts from before the lab had its own repository get the proxy exception too.
      apt_proxy_conf | docker exec -i "$container" sh -c 'cat >/etc/apt/apt.conf.d/01lab-proxy'
      continue
    fi
    ensure_image "$(release_of "$name")"
    docker rm -f "$container" >/dev/null 2>&1 || true
    say "starting $name ($(host_address "$name"))"
    create_host "$name"
  done
  for name in $(host_names); do
    wait_ready "$name" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "some hosts are not ready (see above); 'lab.sh down' removes the lab"
  write_inventory
  say "$LAB_HOSTS hosts ready in $((SECONDS - started))s; inventory: $LAB_DIR/inventory.json"
  say "stand-in repositories: deb [signed-by=<key>] $repo_url bookworm main (Mesos), ${repo_url}docker bookworm stable (Docker; key: $repo_dir/key.asc)"
}

# --- PostgreSQL (a team's shared Pulumi state; Debian's package, run as the lab's own cluster) ----------
pg_dir="$LAB_DIR/postgres"
# PostgreSQL refuses to run as root: then its files and process are the postgres account's.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() {
  local bin
  bin=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -name initdb -path '*/bin/*' 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || die "PostgreSQL's server programs are not in /usr/lib/postgresql/*/bin"
  dirname "$bin"
}
pg_running() { [ -f "$pg_dir/data/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; }
pg_start() {
  local bin password
  apt_install_here postgresql
  bin=$(pg_bin)
  mkdir -p "$LAB_DIR"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    remove_tree "$pg_dir"
    install -d -m 0700 "$pg_dir"
    [ "$(id -u)" != 0 ] || chown postgres: "$pg_dir"
    password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" | as_pg tee "$pg_dir/password" >/dev/null
    say "initialising PostgreSQL in $pg_dir/data"
    as_pg "$bin/initdb" -D "$pg_dir/data" -U pulumi --pwfile="$pg_dir/password" --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >"$LAB_DIR/postgres-initdb.log" 2>&1 ||
      die "initdb failed; see $LAB_DIR/postgres-initdb.log"
    as_pg rm -f "$pg_dir/password"
    (umask 077 && echo "postgres://pulumi:$password@127.0.0.1:$LAB_PG_PORT/pulumi?sslmode=disable" >"$pg_dir/backend-url")
  fi
  if ! pg_running; then
    say "starting PostgreSQL on 127.0.0.1:$LAB_PG_PORT (log: $pg_dir/log)"
    # Its socket is in $pg_dir, the postgres account's alone: the local connection needs no password.
    as_pg "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $LAB_PG_PORT -k $pg_dir" start >/dev/null 9>&- || die "PostgreSQL did not start; see $pg_dir/log"
  fi
  as_pg "$bin/psql" -h "$pg_dir" -p "$LAB_PG_PORT" -U pulumi -d postgres -Atqc "select 1 from pg_database where datname = 'pulumi'" | grep -qx 1 ||
    as_pg "$bin/createdb" -h "$pg_dir" -p "$LAB_PG_PORT" -U pulumi pulumi
}
pg_stop() {
  pg_running || return 0
  say "stopping PostgreSQL (the lab's, in $pg_dir)"
  as_pg "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null
}

# A machine that died and was rebuilt: nothing of the old host survives but its name and address.
lab_replace() {
  local name=$1 container
  if ! [[ $name =~ ^h[0-9]+$ ]] || [ "${name#h}" -lt 1 ] || [ "${name#h}" -gt "$LAB_HOSTS" ]; then
    die "replace: no lab host '$name' (h1..h$LAB_HOSTS)"
  fi
  [ -f "$LAB_DIR/inventory.json" ] || die "replace: no lab here; run 'lab.sh up' first"
  container=$(container_of "$name")
  say "replacing $name: removing $container and its disks"
  docker rm -f -v "$container" >/dev/null 2>&1 || true
  remove_tree "$LAB_DIR/hosts/$name"
  ensure_keys
  write_known_hosts
  ensure_image "$(release_of "$name")"
  say "starting a new $name ($(host_address "$name"))"
  create_host "$name"
  wait_ready "$name"
  write_inventory
}

# lab_sudo_password NAME on|off: the host's login gives sudo a password (generated, kept in its
# sudo_password_file), or none, as the host image has it. The password reaches the host on stdin only.
lab_sudo_password() {
  local name=${1:-} mode=${2:-} container password_file password
  [[ $mode =~ ^(on|off)$ ]] || die "usage: lab.sh sudo-password NAME on|off"
  container=$(container_of "$name")
  [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ] || die "sudo-password: no running lab host '$name'"
  password_file=$(sudo_password_file "$name")
  if [ "$mode" = on ]; then
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s:%s\n' "$user" "$password" | docker exec -i "$container" chpasswd
    (umask 077 && printf '%s\n' "$password" >"$password_file")
    printf '%s ALL=(ALL) ALL\n' "$user" | docker exec -i "$container" sh -c "cat >/etc/sudoers.d/$user && chmod 0440 /etc/sudoers.d/$user"
    say "$name: sudo asks $user for the password in $password_file"
  else
    printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" | docker exec -i "$container" sh -c "cat >/etc/sudoers.d/$user && chmod 0440 /etc/sudoers.d/$user"
    docker exec "$container" usermod -p '!' "$user"
    rm -f "$password_file"
    say "$name: passwordless sudo for $user"
  fi
  lab_sudo_works "$name" || die "sudo-password: sudo on $name does not work as it should now"
  write_inventory
}

# --- the bastion, and the fence that leaves it the only way in ------------------------------------------
fence_chain="$(tr '[:lower:]' '[:upper:]' <<<"$LAB_NAME")-FENCE"
fenced() { [ -f "$LAB_DIR/fenced" ]; }

# This machine may open connections on the lab network only to the bastion and the gateway (itself); what
# the hosts open to the gateway (the apt cache, the lab's repositories) is answered as before.
fence_on() {
  apt_install_here iptables
  iptables -N "$fence_chain" 2>/dev/null || iptables -F "$fence_chain"
  iptables -A "$fence_chain" -d "$(host_address bastion)" -j RETURN
  iptables -A "$fence_chain" -d "$gateway" -j RETURN
  iptables -A "$fence_chain" -d "$LAB_SUBNET" -m conntrack --ctstate NEW -j REJECT --reject-with icmp-host-unreachable
  iptables -C OUTPUT -j "$fence_chain" 2>/dev/null || iptables -I OUTPUT -j "$fence_chain"
  touch "$LAB_DIR/fenced"
}

fence_off() {
  rm -f "$LAB_DIR/fenced"
  command -v iptables >/dev/null || return 0
  while iptables -D OUTPUT -j "$fence_chain" 2>/dev/null; do :; done
  iptables -F "$fence_chain" 2>/dev/null || true
  iptables -X "$fence_chain" 2>/dev/null || true
}

lab_bastion() {
  local mode=${1:-} container
  container=$(container_of bastion)
  case "$mode" in
    on)
      [ -f "$LAB_DIR/inventory.json" ] || die "bastion: no lab here; run 'lab.sh up' first"
      if [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
        ensure_keys
        write_known_hosts
        ensure_image bookworm
        docker rm -f -v "$container" >/dev/null 2>&1 || true
        say "starting the bastion ($(host_address bastion))"
        create_host bastion
        wait_ready bastion
      fi
      fence_on
      write_inventory
      say "fenced: this machine reaches the hosts only through the bastion $(host_address bastion)"
      ;;
    off)
      fence_off
      docker rm -f -v "$container" >/dev/null 2>&1 || true
      remove_tree "$LAB_DIR/hosts/bastion"
      ensure_keys
      write_known_hosts
      write_inventory
      say "no bastion: the hosts are reached directly"
      ;;
    *) die "usage: lab.sh bastion on|off" ;;
  esac
}

# container_address CONTAINER: its address on the lab network (empty if it has none).
container_address() {
  docker inspect -f "{{with index .NetworkSettings.Networks \"$network\"}}{{.IPAddress}}{{end}}" "$1" 2>/dev/null || true
}

lab_status() {
  local json=${1:-} containers name address first=1 cstate sstate ssh_state
  containers=
  if docker info >/dev/null 2>&1; then containers=$(lab_containers); fi
  if [ "$json" = --json ]; then
    printf '['
    for name in $containers; do
      address=$(container_address "$name")
      [ "$first" = 1 ] || printf ','
      first=0
      printf '{"name":"%s","address":"%s","container":"%s"}' "${name#"$LAB_NAME"-}" "$address" "$name"
    done
    printf ']\n'
    return 0
  fi
  [ -n "$containers" ] || { echo "no lab hosts (lab.sh up starts them)"; return 0; }
  printf '%-5s %-15s %-12s %-9s %-12s %s\n' HOST ADDRESS CONTAINER STATE SYSTEMD SSH
  for name in $containers; do
    address=$(container_address "$name")
    sstate=- ssh_state=-
    cstate=$(docker inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo gone)
    if [ "$cstate" = running ]; then
      sstate=$(system_state "${name#"$LAB_NAME"-}")
      if [ -n "$address" ] && [ -f "$LAB_DIR/known_hosts" ] && lab_sudo_works "${name#"$LAB_NAME"-}"; then
        ssh_state=ready
      else
        ssh_state=no
      fi
    fi
    printf '%-5s %-15s %-12s %-9s %-12s %s\n' "${name#"$LAB_NAME"-}" "$address" "$name" "$cstate" "${sstate:-?}" "$ssh_state"
  done
  if pid_alive "$LAB_DIR/repo-http.pid" python3; then
    echo "stand-in repositories: $repo_url bookworm main (Mesos), ${repo_url}docker bookworm stable (Docker; key: $repo_dir/key.asc)"
  else
    echo "stand-in repositories: not served (lab.sh up serves them)"
  fi
}

lab_down() {
  local containers
  fence_off
  if docker info >/dev/null 2>&1; then
    containers=$(lab_containers)
    docker rm -f -v "$(container_of bastion)" >/dev/null 2>&1 || true
    if [ -n "$containers" ]; then
      say "stopping hosts: $(echo "$containers" | tr '\n' ' ')"
      # shellcheck disable=SC2086 # one name per word
      docker stop -t 20 $containers >/dev/null 2>&1 || true
      # shellcheck disable=SC2086
      docker rm -f -v $containers >/dev/null
    fi
    if docker network inspect "$network" >/dev/null 2>&1; then
      docker network rm "$network" >/dev/null || say "WARNING: could not remove network $network (other containers on it?)"
    fi
    # The host images (the tarball in the cache makes the next import quick); in use elsewhere: kept.
    docker image ls --format '{{.Repository}}:{{.Tag}}' t2lab/debian | xargs -r docker image rm >/dev/null 2>&1 || true
  elif [ -n "$(ls "$LAB_DIR/hosts" 2>/dev/null)" ] && ! pid_alive "$LAB_DIR/dockerd.pid" dockerd; then
    say "no Docker engine answers: if lab hosts still run in one, they are left alone"
  fi
  stop_pid "$LAB_DIR/apt-cacher-ng.pid" apt-cacher-ng
  stop_pid "$LAB_DIR/repo-http.pid" python3
  pg_stop
  if [ -d "$repo_gnupg" ]; then GNUPGHOME="$repo_gnupg" gpgconf --kill all 2>/dev/null || true; fi
  if pid_alive "$LAB_DIR/dockerd.pid" dockerd && [ -n "$(docker ps -q 2>/dev/null)" ]; then
    say "WARNING: leaving the dockerd the lab started (pid $(cat "$LAB_DIR/dockerd.pid")) running: other containers use it"
  else
    stop_pid "$LAB_DIR/dockerd.pid" dockerd
  fi
  remove_tree "$LAB_DIR"
  say "down"
}

trap 'exit 130' INT TERM # so that EXIT traps run when interrupted

# One lab command at a time per lab name (lock file outside LAB_DIR, which `down` removes).
exec 9>"${TMPDIR:-/tmp}/twister2-lab-$LAB_NAME.lock"
flock 9

case "${1:-}" in
  up) lab_up ;;
  status) lab_status "${2:-}" ;;
  replace) lab_replace "${2:-}" ;;
  sudo-password) lab_sudo_password "${2:-}" "${3:-}" ;;
  bastion) lab_bastion "${2:-}" ;;
  postgres)
    case "${2:-}" in
      start) pg_start ;;
      restart) pg_stop && pg_start ;;
      *) echo "usage: $0 postgres start|restart" >&2; exit 2 ;;
    esac
    ;;
  down) lab_down ;;
  *) echo "usage: $0 up | status [--json] | replace NAME | sudo-password NAME on|off | bastion on|off | postgres start|restart | down" >&2; exit 2 ;;
esac
