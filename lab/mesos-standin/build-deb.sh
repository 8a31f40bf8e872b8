#!/usr/bin/env bash
# build-deb.sh OUTDIR: builds the lab's Mesos stand-in package into OUTDIR in two releases of the same
# program, debian/control's Version and its rebuild `<Version>+b1` (as Debian names a binary-only
# rebuild), so that a stack can pin mesos.version to one and upgrade to the other; prints the .debs'
# paths, the older first. Reproducible (fixed owners, modes and times) and skipped when the inputs have
# not changed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
outdir=$1

package=$(sed -n 's/^Package: //p' "$here/debian/control")
version=$(sed -n 's/^Version: //p' "$here/debian/control")
versions=("$version" "$version+b1")
debs=()
for v in "${versions[@]}"; do debs+=("$outdir/${package}_${v}_all.deb"); done

inputs_hash=$(
  cd "$here"
  sha256sum build-deb.sh mesos-standin.py mesos-init-wrapper ./*.service README.md debian/* flags/*
)
inputs_hash=$(sha256sum <<<"$inputs_hash" | cut -c1-16)
mkdir -p "$outdir"
fresh=true
for deb in "${debs[@]}"; do
  [ -f "$deb" ] && [ "$(cat "$deb.inputs" 2>/dev/null)" = "$inputs_hash" ] || fresh=false
done
if [ "$fresh" = true ]; then
  printf '%s\n' "${debs[@]}"
  exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
install -d "$root/DEBIAN" "$root/usr/sbin" "$root/usr/bin" "$root/usr/lib/mesos-standin" \
  "$root/usr/share/mesos-standin" "$root/usr/share/doc/$package" "$root/lib/systemd/system" \
  "$root/etc/mesos" "$root/etc/mesos-master" "$root/etc/mesos-agent"
install -m 0755 "$here/mesos-standin.py" "$root/usr/lib/mesos-standin/mesos-standin"
ln -s ../lib/mesos-standin/mesos-standin "$root/usr/sbin/mesos-master"
ln -s ../lib/mesos-standin/mesos-standin "$root/usr/sbin/mesos-agent"
install -m 0755 "$here/mesos-init-wrapper" "$root/usr/bin/mesos-init-wrapper"
install -m 0644 "$here/mesos-master.service" "$here/mesos-agent.service" "$root/lib/systemd/system/"
install -m 0644 "$here/README.md" "$root/usr/share/doc/$package/README.md"
# The lists of flag names Mesos 1.11.0 accepts (copies of shared/reference/mesos-1.11.0-*-flags.txt).
for list in master agent common; do
  install -m 0644 "$here/flags/mesos-1.11.0-$list-flags.txt" "$root/usr/share/mesos-standin/$list-flags.txt"
done
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$root/DEBIAN/"

# Fixed times make the same inputs give the same bytes.
export SOURCE_DATE_EPOCH=1577836800
for i in "${!versions[@]}"; do
  {
    sed "s/^Version: .*/Version: ${versions[$i]}/" "$here/debian/control"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  } >"$root/DEBIAN/control"
  chmod 0644 "$root/DEBIAN/control"
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$root" "$stage/out.deb" >/dev/null
  mv "$stage/out.deb" "${debs[$i]}"
  echo "$inputs_hash" >"${debs[$i]}.inputs"
done
printf '%s\n' "${debs[@]}"
