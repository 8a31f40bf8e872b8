#!/usr/bin/env bash
# Installs the Pulumi CLI, its Node.js language host and the host for Pulumi dynamic providers, built
# from the Go module proxy into a per-user cache (the Go build cache makes later builds fast).
# Idempotent: with the pinned versions in place it returns at once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/pulumi-env.sh
. "$root/scripts/pulumi-env.sh"
say() { printf 'toolchain: %s\n' "$*" >&2; }

sdk_version=v$(node -p 'require(process.argv[1]).dependencies["@pulumi/pulumi"]' "$root/package.json")
if [ "$sdk_version" != "$T2_PULUMI_VERSION" ]; then
  say "package.json pins @pulumi/pulumi ${sdk_version#v} but toolchain/pulumi/go.mod builds the CLI at $T2_PULUMI_VERSION; pin both to one version"
  exit 1
fi

installed() {
  [ -x "$T2_TOOLCHAIN_BIN/pulumi-language-nodejs" ] && [ -x "$T2_TOOLCHAIN_BIN/pulumi-resource-pulumi-nodejs" ] &&
    [ "$("$T2_TOOLCHAIN_BIN/pulumi" version 2>/dev/null)" = "$T2_PULUMI_VERSION" ]
}
if installed; then
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
    say "using the installed pulumi $T2_PULUMI_VERSION ($system_bin)"
    exit 0
  fi
fi

command -v go >/dev/null || { say "Go is needed to build the Pulumi CLI; install it (Debian: golang-go, or go.dev) and run again"; exit 1; }
started=$SECONDS
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

say "building pulumi $T2_PULUMI_VERSION from the Go module proxy (first time: 10-20 minutes on 2 cores)"
(cd "$root/toolchain/pulumi" &&
  go build -o "$staging/pulumi" -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$T2_PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)

say "building pulumi-language-nodejs $T2_LANGHOST_VERSION"
(cd "$root/toolchain/pulumi-language-nodejs" &&
  go build -o "$staging/pulumi-language-nodejs" -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$T2_LANGHOST_VERSION" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)

# The dynamic-provider host is a small script that ships in the SDK module beside the CLI's version.
sdk_dir=$(cd "$root/toolchain/pulumi" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$staging/"

mkdir -p "$T2_TOOLCHAIN_BIN"
mv -f "$staging"/* "$T2_TOOLCHAIN_BIN/"
installed || { say "the freshly built pulumi does not report $T2_PULUMI_VERSION"; exit 1; }
say "pulumi $T2_PULUMI_VERSION installed in $((SECONDS - started))s ($T2_TOOLCHAIN_BIN)"
