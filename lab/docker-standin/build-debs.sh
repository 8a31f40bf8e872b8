#!/usr/bin/env bash
# build-debs.sh OUTDIR: builds the lab's stand-ins of Docker's three packages (docker-ce, docker-ce-cli,
# containerd.io; see README.md) into OUTDIR and prints the .debs' paths, one per line. Reproducible
# (fixed owners, modes and times).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
outdir=$1
# Docker's own version schemes; the engine inside is Debian's (docker.io 20.10.24, containerd 1.6.20).
engine_version=5:20.10.24-0standin1
containerd_version=1.6.20-0standin1
mkdir -p "$outdir"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
export SOURCE_DATE_EPOCH=1577836800

# package NAME VERSION DEPENDS SUMMARY: a stand-in package with its README; files it ships are staged in $stage/NAME.
package() {
  local name=$1 version=$2 depends=$3 summary=$4 root="$stage/$1"
  install -d "$root/DEBIAN" "$root/usr/share/doc/$name"
  install -m 0644 "$here/README.md" "$root/usr/share/doc/$name/README.md"
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: all\n' "$name" "$version"
    printf 'Maintainer: twister2-cluster lab <lab@twister2-cluster.invalid>\nSection: admin\nPriority: optional\n'
    printf 'Depends: %s\n' "$depends"
    printf 'Installed-Size: %s\n' "$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
    printf 'Description: STAND-IN for Docker'"'"'s %s (twister2-cluster lab only; not Docker CE)\n' "$name"
    printf ' %s\n Use Docker'"'"'s repository (https://download.docker.com) outside the lab.\n' "$summary"
  } >"$root/DEBIAN/control"
  chmod 0644 "$root/DEBIAN/control"
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$root" "$outdir/${name}_${version#*:}_all.deb" >/dev/null
  echo "$outdir/${name}_${version#*:}_all.deb"
}

install -d "$stage/docker-ce/usr/bin"
ln -s ../sbin/dockerd "$stage/docker-ce/usr/bin/dockerd"
package docker-ce "$engine_version" "docker-ce-cli (= $engine_version), containerd.io, docker.io, iptables" \
  "Debian's docker.io engine under Docker CE's package name; /usr/bin/dockerd points at /usr/sbin/dockerd."
package docker-ce-cli "$engine_version" "docker.io" "Debian's docker.io, which holds the docker CLI on bookworm."
package containerd.io "$containerd_version" "containerd, runc" "Debian's containerd and runc under Docker's package name."
