#!/usr/bin/env bash
# Installs the Pulumi CLI (the version package.json pins for @pulumi/pulumi), its Node.js language host
# and the host for Pulumi dynamic providers, built from the Go module proxy into a per-user cache
# (~/.cache/twister2-cluster/toolchain; the Go build and module caches make later builds fast).
# Idempotent: with the pinned versions in place it returns at once.
#
# Resource plugins: each @pulumi/<name> provider package in package.json needs the plugin
# pulumi-resource-<name> at the same version in `pulumi plugin ls`. Their Go modules
# (github.com/pulumi/pulumi-<name>/provider...) are not served by the module proxy this project
# reaches, so they cannot be built here; the script says so instead of letting `pulumi up` fail later.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/pulumi-env.sh
. "$root/scripts/pulumi-env.sh"
say() { printf 'toolchain: %s\n' "$*" >&2; }
started=$SECONDS

# The versions package.json pins (exact), read before `npm install`: "NAME VERSION" lines.
pinned=$(node -e '
  const deps = require(process.argv[1]).dependencies || {};
  for (const [name, version] of Object.entries(deps)) console.log(name, version);
' "$root/package.json")
sdk_version=v$(awk '$1 == "@pulumi/pulumi" { print $2 }' <<<"$pinned")
if [ "$sdk_version" != "$T2_PULUMI_VERSION" ]; then
  say "package.json pins @pulumi/pulumi ${sdk_version#v} but toolchain/pulumi/go.mod builds the CLI at $T2_PULUMI_VERSION; pin both to one version"
  exit 1
fi
# Provider packages other than the SDK itself: "NAME VERSION" for each plugin they need.
plugins=$(awk '$1 ~ /^@pulumi\// && $1 != "@pulumi/pulumi" { sub("^@pulumi/", "", $1); print $1, $2 }' <<<"$pinned")

cli_installed() {
  [ -x "$T2_TOOLCHAIN_BIN/pulumi-language-nodejs" ] && [ -x "$T2_TOOLCHAIN_BIN/pulumi-resource-pulumi-nodejs" ] &&
    [ "$("$T2_TOOLCHAIN_BIN/pulumi" version 2>/dev/null)" = "$T2_PULUMI_VERSION" ]
}

# Every pinned provider's plugin must be installed at the pinned version.
check_plugins() {
  [ -n "$plugins" ] || return 0
  local listed missing=()
  listed=$(pulumi plugin ls --json 2>/dev/null |
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      for (const p of JSON.parse(s || "[]")) if (p.kind === "resource") console.log(p.name, p.version);
    })')
  while read -r name version; do
    grep -qxF "$name $version" <<<"$listed" || missing+=("$name $version")
  done <<<"$plugins"
  [ "${#missing[@]}" -eq 0 ] && return 0
  for plugin in "${missing[@]}"; do
    say "no resource plugin ${plugin% *} v${plugin#* } (package.json pins @pulumi/${plugin% *} ${plugin#* }):" \
      "its Go module is not served by the module proxy, so it cannot be built here;" \
      "install it with \`pulumi plugin install resource ${plugin% *} ${plugin#* } --file PATH\` if you have the binary"
  done
  return 1
}

if cli_installed; then
  check_plugins
  say "pulumi $T2_PULUMI_VERSION ready ($T2_TOOLCHAIN_BIN)"
  exit 0
fi

# A Pulumi installed on this machine at the pinned version serves as it is (its language hosts sit beside it).
system_pulumi=$(PATH=${PATH//"$T2_TOOLCHAIN_BIN:"/} command -v pulumi || true)
if [ -n "$system_pulumi" ] && [ "$("$system_pulumi" version 2>/dev/null)" = "$T2_PULUMI_VERSION" ]; then
  system_bin=$(dirname "$(readlink -f "$system_pulumi")")
  if [ -x "$system_bin/pulumi-language-nodejs" ] && [ -x "$system_bin/pulumi-resource-pulumi-nodejs" ]; then
    mkdir -p "$T2_TOOLCHAIN_BIN"
    for tool in pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs; do ln -sf "$system_bin/$tool" "$T2_TOOLCHAIN_BIN/$tool"; done
    check_plugins
    say "using the installed pulumi $T2_PULUMI_VERSION ($system_bin)"
    exit 0
  fi
fi

command -v go >/dev/null || { say "Go is needed to build the Pulumi CLI; install it (Debian: golang-go, or go.dev) and run again"; exit 1; }
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
# go_build DIR ARGS...: `go build` in DIR; its output (a line per module downloaded) only if it fails.
go_build() {
  local dir=$1
  shift
  (cd "$dir" && go build "$@") >"$staging/go.log" 2>&1 || { cat "$staging/go.log" >&2; return 1; }
  rm -f "$staging/go.log"
}

say "building pulumi $T2_PULUMI_VERSION from the Go module proxy (first time: about 5 minutes on 2 cores)"
go_build "$root/toolchain/pulumi" -o "$staging/pulumi" \
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$T2_PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# The standalone module sdk/nodejs/cmd/pulumi-language-nodejs/v3 is not served by the module proxy;
# sdk/v3 v3.68.0 is the last release that carries the language host as a package.
say "building pulumi-language-nodejs $T2_LANGHOST_VERSION"
go_build "$root/toolchain/pulumi-language-nodejs" -o "$staging/pulumi-language-nodejs" \
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$T2_LANGHOST_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs

# The dynamic-provider host is a small script that ships in the SDK module beside the CLI's version.
sdk_dir=$(cd "$root/toolchain/pulumi" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$staging/"

mkdir -p "$T2_TOOLCHAIN_BIN"
mv -f "$staging"/* "$T2_TOOLCHAIN_BIN/"
cli_installed || { say "the freshly built pulumi does not report $T2_PULUMI_VERSION"; exit 1; }
say "pulumi $T2_PULUMI_VERSION installed in $((SECONDS - started))s ($T2_TOOLCHAIN_BIN)"
check_plugins
