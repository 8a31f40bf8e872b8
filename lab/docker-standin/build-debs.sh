#!/usr/bin/env bash
# build-debs.sh OUTDIR DOCKER_IO_DEB [DOCKER_CLI_DEB]: builds the lab's stand-ins of Docker's three packages into OUTDIR
# (the engine and its CLI in two releases: five .debs)
# and prints the .debs' paths, one per line (see README.md). Debian's docker.io package (its .deb, from
# Debian's archive) is split the way Docker splits its own: the engine, its units and its maintainer
# scripts into docker-ce, the CLI into docker-ce-cli (from DOCKER_CLI_DEB where Debian ships it apart:
# docker-cli, from Debian 13 on); containerd.io brings Debian's containerd and runc.
# Reproducible (fixed owners, modes and times) and skipped when the inputs have not changed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 OUTDIR DOCKER_IO_DEB [DOCKER_CLI_DEB]" >&2; exit 2; }
outdir=$1 docker_io=$2 docker_cli=${3:-}
# Docker's version schemes, over Debian's versions (docker.io 20.10.24+dfsg1-1+deb12u1 gives 5:20.10.24-0standin1).
# The engine and its CLI come in two releases of the same bits, -0standin1 and -0standin2, as Docker's
# repository offers many: a stack can pin the first (docker.version) and upgrade to the second.
upstream=$(dpkg-deb -f "$docker_io" Version | sed 's/^[0-9]*://; s/[+~-].*//')
engine_versions=("5:$upstream-0standin1" "5:$upstream-0standin2")
containerd_version=$(dpkg-query -W -f='${Version}' containerd 2>/dev/null | sed 's/^[0-9]*://; s/[+~-].*//')
containerd_version="${containerd_version:-1.6.20}-0standin1"
arch=$(dpkg-deb -f "$docker_io" Architecture)
debs=()
for engine_version in "${engine_versions[@]}"; do
  debs+=("$outdir/docker-ce_${engine_version#*:}_$arch.deb" "$outdir/docker-ce-cli_${engine_version#*:}_$arch.deb")
done
debs+=("$outdir/containerd.io_${containerd_version}_all.deb")

inputs_hash=$( (sha256sum "$here/build-debs.sh" "$here/README.md"; basename "$docker_io"; basename "${docker_cli:-none}"; echo "$containerd_version") | sha256sum | cut -c1-16)
mkdir -p "$outdir"
if [ "$(cat "$outdir/inputs" 2>/dev/null)" = "$inputs_hash" ] && ls "${debs[@]}" >/dev/null 2>&1; then
  printf '%s\n' "${debs[@]}"
  exit 0
fi
rm -f "$outdir"/*.deb "$outdir/inputs"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
export SOURCE_DATE_EPOCH=1577836800
dpkg-deb -R "$docker_io" "$stage/docker.io"
[ -z "$docker_cli" ] || dpkg-deb -R "$docker_cli" "$stage/docker-cli"

# control NAME VERSION ARCH DEPENDS SUMMARY [CONFLICTS]: NAME's DEBIAN/control, which says it is a stand-in.
control() {
  local root="$stage/$1"
  install -d "$root/DEBIAN" "$root/usr/share/doc/$1"
  install -m 0644 "$here/README.md" "$root/usr/share/doc/$1/README.md"
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$1" "$2" "$3"
    printf 'Maintainer: twister2-cluster lab <lab@twister2-cluster.invalid>\nSection: admin\nPriority: optional\n'
    printf 'Depends: %s\n' "$4"
    [ -z "${6:-}" ] || printf 'Conflicts: %s\nReplaces: %s\n' "$6" "$6"
    printf 'Installed-Size: %s\n' "$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
    printf 'Description: STAND-IN for Docker'"'"'s %s (twister2-cluster lab only; not Docker CE)\n' "$1"
    printf ' %s\n Use Docker'"'"'s repository (https://download.docker.com) outside the lab.\n' "$5"
  } >"$root/DEBIAN/control"
  chmod 0644 "$root/DEBIAN/control"
}

build() {
  find "$stage/$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zgzip --build "$stage/$1" "$2" >/dev/null
}

# docker-ce: docker.io but its CLI, with its maintainer scripts (the docker group, the units) and
# /usr/bin/dockerd where Docker's package has it.
mv "$stage/docker.io" "$stage/docker-ce"
install -d "$stage/docker-ce-cli/usr/bin" "$stage/docker-ce-cli/usr/share"
cli_from="$stage/docker-ce"
[ -z "$docker_cli" ] || cli_from="$stage/docker-cli"
mv "$cli_from/usr/bin/docker" "$stage/docker-ce-cli/usr/bin/docker"
for completions in bash-completion fish zsh; do
  [ ! -d "$cli_from/usr/share/$completions" ] || mv "$cli_from/usr/share/$completions" "$stage/docker-ce-cli/usr/share/"
done
ln -s ../sbin/dockerd "$stage/docker-ce/usr/bin/dockerd"
rm -rf "$stage/docker-ce/usr/share/doc/docker.io" "$stage/docker-ce/usr/share/lintian" "$stage/docker-ce/DEBIAN/md5sums"
depends=$(dpkg-deb -f "$docker_io" Depends | sed -E 's/containerd \([^)]*\)/containerd.io/; s/, runc \([^)]*\)//; s/, runc//')
i=0
for engine_version in "${engine_versions[@]}"; do
  control docker-ce "$engine_version" "$arch" "docker-ce-cli (= $engine_version), $depends" \
    "Debian's docker.io engine under Docker CE's package name; /usr/bin/dockerd points at /usr/sbin/dockerd." "docker.io"
  build docker-ce "${debs[i]}"
  control docker-ce-cli "$engine_version" "$arch" "libc6" "Debian's docker CLI (from docker.io) under Docker CE's package name." "docker.io"
  build docker-ce-cli "${debs[i + 1]}"
  i=$((i + 2))
done

control containerd.io "$containerd_version" all "containerd, runc" "Debian's containerd and runc under Docker's package name."
build containerd.io "${debs[i]}"

echo "$inputs_hash" >"$outdir/inputs"
printf '%s\n' "${debs[@]}"
