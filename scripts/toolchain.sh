#!/usr/bin/env bash
# Installs the Pulumi CLI (the version package.json pins for @pulumi/pulumi) and its Node.js language
# host, built from the Go module proxy into a per-user cache
# (~/.cache/twister2-cluster/toolchain; the Go build and module caches make later builds fast).
# Idempotent: with the pinned versions in place it returns at once.
#
# Resource plugins are lab/providers/install.sh's business (set-up runs it after this).
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
cli_installed() {
  [ -x "$T2_TOOLCHAIN_BIN/pulumi-language-nodejs" ] &&
    [ "$("$T2_TOOLCHAIN_BIN/pulumi" version 2>/dev/null)" = "$T2_PULUMI_VERSION" ]
}

if cli_installed; then
  say "pulumi $T2_PULUMI_VERSION ready ($T2_TOOLCHAIN_BIN)"
  exit 0
fi

# A Pulumi installed on this machine at the pinned version serves as it is (its language hosts sit beside it).
system_pulumi=$(PATH=${PATH//"$T2_TOOLCHAIN_BIN:"/} command -v pulumi || true)
if [ -n "$system_pulumi" ] && [ "$("$system_pulumi" version 2>/dev/null)" = "$T2_PULUMI_VERSION" ]; then
  system_bin=$(dirname "$(readlink -f "$system_pulumi")")
  if [ -x "$system_bin/pulumi-language-nodejs" ]; then
    mkdir -p "$T2_TOOLCHAIN_BIN"
    for tool in pulumi pulumi-language-nodejs; do ln -sf "$system_bin/$tool" "$T2_TOOLCHAIN_BIN/$tool"; done
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

mkdir -p "$T2_TOOLCHAIN_BIN"
mv -f "$staging"/* "$T2_TOOLCHAIN_BIN/"
cli_installed || { say "the freshly built pulumi does not report $T2_PULUMI_VERSION"; exit 1; }
say "pulumi $T2_PULUMI_VERSION installed in $((SECONDS - started))s ($T2_TOOLCHAIN_BIN)"
