#!/usr/bin/env bash
# The lab: Debian 12 hosts on this machine (containers running systemd and sshd) for the dev stack.
#   lab.sh up       start the lab (idempotent) and write .lab/inventory.json
#   lab.sh status   list hosts (--json: [{"name","address","container"}])
#   lab.sh down     remove hosts, network, per-host data and the daemons the lab started
# Settings: LAB_HOSTS (default 5), LAB_SUBNET (default 10.77.0.0/24; hosts at .11, .12, ...), LAB_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
LAB_HOSTS=${LAB_HOSTS:-5}
LAB_SUBNET=${LAB_SUBNET:-10.77.0.0/24}
LAB_DIR=${LAB_DIR:-$root/.lab}
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/twister2-cluster"
net_prefix=${LAB_SUBNET%.*}
gateway="$net_prefix.1"
network=t2lab
user=deploy
say() { printf 'lab: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

host_names() { local i; for ((i = 1; i <= LAB_HOSTS; i++)); do echo "h$i"; done; }
host_address() { echo "$net_prefix.$((10 + ${1#h}))"; }

# --- the Docker engine ----------------------------------------------------------------------------
apt_install_here() {
  local missing=() pkg
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing ${missing[*]} on this machine"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

start_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  apt_install_here docker.io
  say "starting dockerd (log: $LAB_DIR/dockerd.log)"
  dockerd >"$LAB_DIR/dockerd.log" 2>&1 &
  echo $! >"$LAB_DIR/dockerd.pid"
  local i
  for ((i = 0; i < 60; i++)); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  die "dockerd did not come up; see $LAB_DIR/dockerd.log"
}

# --- the apt cache the hosts (and debootstrap) fetch Debian packages through ----------------------
start_apt_cache() {
  if [ -f "$LAB_DIR/apt-cache.pid" ] && kill -0 "$(cat "$LAB_DIR/apt-cache.pid")" 2>/dev/null; then return 0; fi
  say "starting the apt cache on $gateway:3142 (cache: $cache_dir/apt-cache)"
  python3 "$root/scripts/lab/apt-cache.py" "$cache_dir/apt-cache" 3142 127.0.0.1 "$gateway" >"$LAB_DIR/apt-cache.log" 2>&1 &
  echo $! >"$LAB_DIR/apt-cache.pid"
  local i
  for ((i = 0; i < 30; i++)); do
    (exec 3<>"/dev/tcp/$gateway/3142") 2>/dev/null && return 0
    sleep 1
  done
  die "the apt cache did not start; see $LAB_DIR/apt-cache.log"
}

# --- the host image: a Debian bookworm rootfs, built once and cached as a tarball ------------------
image_packages=systemd,systemd-sysv,dbus,openssh-server,sudo,iproute2,iputils-ping,curl,ca-certificates,gnupg,procps,less,busybox-static,netcat-openbsd
image_recipe="bookworm minbase $image_packages user=$user v1"
image_tag="t2lab/debian:bookworm-$(printf '%s' "$image_recipe" | sha256sum | cut -c1-12)"

build_rootfs() {
  local tarball=$1 rootfs
  apt_install_here debootstrap
  rootfs=$(mktemp -d)
  say "building the host image with debootstrap (about a minute; cached afterwards)"
  debootstrap --variant=minbase --include="$image_packages" bookworm "$rootfs" \
    http://127.0.0.1:3142/deb.debian.org/debian >"$LAB_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $LAB_DIR/debootstrap.log"
  cat >"$rootfs/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  # Each host gets its own machine id and the SSH host key the lab pins.
  : >"$rootfs/etc/machine-id"
  rm -f "$rootfs/var/lib/dbus/machine-id" "$rootfs"/etc/ssh/ssh_host_*
  cat >"$rootfs/etc/ssh/sshd_config.d/lab.conf" <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/authorized_keys/%u .ssh/authorized_keys
PasswordAuthentication no
PermitRootLogin no
EOF
  chroot "$rootfs" useradd --create-home --shell /bin/bash "$user"
  echo "$user ALL=(ALL) NOPASSWD:ALL" >"$rootfs/etc/sudoers.d/$user"
  chmod 0440 "$rootfs/etc/sudoers.d/$user"
  # Units that have nothing to do in a container.
  local unit
  for unit in getty.target console-getty.service systemd-udevd.service systemd-udev-trigger.service \
    systemd-remount-fs.service systemd-modules-load.service sys-kernel-debug.mount sys-kernel-tracing.mount \
    sys-kernel-config.mount systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  mkdir -p "$(dirname "$tarball")"
  tar -C "$rootfs" -c . >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -rf "$rootfs"
}

ensure_image() {
  docker image inspect "$image_tag" >/dev/null 2>&1 && return 0
  local tarball="$cache_dir/lab/${image_tag##*:}.tar"
  [ -s "$tarball" ] || build_rootfs "$tarball"
  say "importing $image_tag"
  docker import "$tarball" "$image_tag" >/dev/null
}

# --- hosts ------------------------------------------------------------------------------------------
ensure_keys() {
  mkdir -p "$LAB_DIR"
  [ -f "$LAB_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "twister2-cluster lab" -f "$LAB_DIR/id_ed25519"
  local name
  for name in $(host_names); do
    mkdir -p "$LAB_DIR/hosts/$name"
    [ -f "$LAB_DIR/hosts/$name/ssh_host_ed25519_key" ] ||
      ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$LAB_DIR/hosts/$name/ssh_host_ed25519_key"
  done
}

create_host() {
  local name=$1 address container="t2lab-$1" dir="$LAB_DIR/hosts/$1" other
  address=$(host_address "$name")
  local hosts_args=()
  for other in $(host_names); do hosts_args+=(--add-host "$other:$(host_address "$other")"); done
  mkdir -p "$dir/docker" "$dir/containerd" "$dir/srv" "$dir/etc/ssh/authorized_keys" "$dir/etc/apt/apt.conf.d"
  cp "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub" "$dir/etc/ssh/"
  cp "$LAB_DIR/id_ed25519.pub" "$dir/etc/ssh/authorized_keys/$user"
  echo "Acquire::http::Proxy \"http://$gateway:3142\";" >"$dir/etc/apt/apt.conf.d/01lab-proxy"
  docker create --name "$container" --hostname "$name" --network "$network" --ip "$address" "${hosts_args[@]}" \
    --cap-add=ALL --cap-drop=SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    --tmpfs /run --tmpfs /run/lock -e container=docker --stop-signal SIGRTMIN+3 \
    -v "$dir/docker:/var/lib/docker" -v "$dir/containerd:/var/lib/containerd" -v "$dir/srv:/srv" \
    --label twister2-cluster.lab=1 "$image_tag" /sbin/init >/dev/null
  docker cp "$dir/etc/." "$container:/etc/"
  docker start "$container" >/dev/null
}

wait_ready() {
  local name=$1 container="t2lab-$1" address state="" i
  address=$(host_address "$name")
  for ((i = 0; i < 120; i++)); do
    state=$(docker exec "$container" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running | degraded) break ;; esac
    sleep 1
  done
  case "$state" in
    running) ;;
    degraded) say "$name is degraded: $(docker exec "$container" systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')" ;;
    *) die "$name did not boot (systemd says '$state'); see docker logs $container" ;;
  esac
  for ((i = 0; i < 60; i++)); do
    if lab_ssh "$address" sudo true 2>/dev/null; then say "$name ready ($address)"; return 0; fi
    sleep 1
  done
  die "$name ($address) does not accept SSH logins as $user"
}

lab_ssh() {
  local address=$1
  shift
  ssh -i "$LAB_DIR/id_ed25519" -o UserKnownHostsFile="$LAB_DIR/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o ConnectTimeout=5 "$user@$address" "$@"
}

write_inventory() {
  local name first=1 hostkey
  : >"$LAB_DIR/known_hosts.tmp"
  {
    printf '{"subnet":"%s","gateway":"%s","aptProxy":"http://%s:3142","hosts":[' "$LAB_SUBNET" "$gateway" "$gateway"
    for name in $(host_names); do
      hostkey=$(cut -d' ' -f1,2 "$LAB_DIR/hosts/$name/ssh_host_ed25519_key.pub")
      echo "$(host_address "$name") $hostkey" >>"$LAB_DIR/known_hosts.tmp"
      [ "$first" = 1 ] || printf ','
      first=0
      printf '\n  {"name":"%s","address":"%s","user":"%s","privateKeyFile":"%s","hostKey":"%s","container":"t2lab-%s"}' \
        "$name" "$(host_address "$name")" "$user" "$LAB_DIR/id_ed25519" "$hostkey" "$name"
    done
    printf '\n]}\n'
  } >"$LAB_DIR/inventory.json"
  mv "$LAB_DIR/known_hosts.tmp" "$LAB_DIR/known_hosts"
}

lab_up() {
  local started=$SECONDS name pids=()
  mkdir -p "$LAB_DIR"
  start_engine
  docker network inspect "$network" >/dev/null 2>&1 ||
    docker network create --subnet "$LAB_SUBNET" --gateway "$gateway" --label twister2-cluster.lab=1 "$network" >/dev/null
  start_apt_cache
  ensure_image
  ensure_keys
  write_inventory
  for name in $(host_names); do
    if [ "$(docker inspect -f '{{.State.Running}}' "t2lab-$name" 2>/dev/null)" != true ]; then
      docker rm -f "t2lab-$name" >/dev/null 2>&1 || true
      create_host "$name"
    fi
  done
  for name in $(host_names); do wait_ready "$name" & pids+=($!); done
  local pid failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "some hosts are not ready"
  say "$LAB_HOSTS hosts ready in $((SECONDS - started))s; inventory: $LAB_DIR/inventory.json"
}

lab_status() {
  local json=${1:-} containers name address state first=1
  containers=$(docker ps -a --filter label=twister2-cluster.lab=1 --format '{{.Names}}' 2>/dev/null | sort -V || true)
  if [ "$json" = --json ]; then
    printf '['
    for name in $containers; do
      address=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$name" 2>/dev/null || true)
      [ "$first" = 1 ] || printf ','
      first=0
      printf '{"name":"%s","address":"%s","container":"%s"}' "${name#t2lab-}" "$address" "$name"
    done
    printf ']\n'
    return 0
  fi
  [ -n "$containers" ] || { echo "no lab hosts"; return 0; }
  printf '%-6s %-14s %-10s %s\n' HOST ADDRESS CONTAINER STATE
  for name in $containers; do
    address=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$name" 2>/dev/null || true)
    state=$(docker exec "$name" systemctl is-system-running 2>/dev/null || docker inspect -f '{{.State.Status}}' "$name")
    printf '%-6s %-14s %-10s %s\n' "${name#t2lab-}" "$address" "$name" "$state"
  done
}

stop_pid_file() {
  local file=$1 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$file"
}

lab_down() {
  local containers
  if docker info >/dev/null 2>&1; then
    containers=$(docker ps -a --filter label=twister2-cluster.lab=1 --format '{{.Names}}')
    if [ -n "$containers" ]; then
      say "removing hosts: $(echo "$containers" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      docker rm -f $containers >/dev/null
    fi
    docker network rm "$network" >/dev/null 2>&1 || true
    docker image ls --format '{{.Repository}}:{{.Tag}}' t2lab/debian | xargs -r docker image rm >/dev/null 2>&1 || true
  fi
  stop_pid_file "$LAB_DIR/apt-cache.pid"
  if [ -f "$LAB_DIR/dockerd.pid" ]; then
    say "stopping the dockerd the lab started"
    stop_pid_file "$LAB_DIR/dockerd.pid"
  fi
  rm -rf "$LAB_DIR"
  say "down"
}

case "${1:-}" in
  up) lab_up ;;
  status) lab_status "${2:-}" ;;
  down) lab_down ;;
  *) echo "usage: $0 up|status [--json]|down" >&2; exit 2 ;;
esac
