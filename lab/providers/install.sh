#!/usr/bin/env bash
# Makes sure Pulumi has a resource plugin for every provider package package.json pins
# (@pulumi/command, @pulumi/random, @pulumi/docker), at the version the package asks for.
# A plugin already installed at that version (the official one: `pulumi plugin install resource
# NAME VERSION`) is used as it is. Only where none is installed does this build the lab's stand-in
# from lab/providers/NAME with Go and install it under the official name and version: this
# project's CI cannot download Pulumi's plugins. Nothing is downloaded except Go modules.
# A stand-in installed by an earlier run is rebuilt when its source has changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/lab/providers"
# shellcheck source=scripts/pulumi-env.sh
. "$root/scripts/pulumi-env.sh"
say() { printf 'plugins: %s\n' "$*" >&2; }
plugins_dir="${PULUMI_HOME:-$HOME/.pulumi}/plugins"
# Written beside a stand-in's binary: which source built it.
marker=.twister2-cluster-standin

source_hash=$(cd "$here" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort |
  xargs sha256sum | sha256sum | cut -d' ' -f1)

for name in command random docker; do
  package_json="$root/node_modules/@pulumi/$name/package.json"
  [ -f "$package_json" ] || { say "@pulumi/$name is not installed (run npm ci first)"; exit 1; }
  version=$(node -p 'require(process.argv[1]).pulumi.version' "$package_json")
  dir="$plugins_dir/resource-$name-v$version"
  if [ -x "$dir/pulumi-resource-$name" ]; then
    if [ ! -f "$dir/$marker" ]; then
      say "$name $version: the installed plugin ($dir)"
      continue
    fi
    if [ "$(cat "$dir/$marker")" = "$source_hash" ]; then
      say "$name $version: the lab's stand-in (lab/providers/$name), up to date"
      continue
    fi
  fi
  if [ -f "$dir/$marker" ]; then
    say "$name $version: the lab's stand-in is out of date; building it again from lab/providers/$name"
  else
    say "$name $version: not installed; building the lab's stand-in from lab/providers/$name"
  fi
  staging=$(mktemp -d)
  # Once per run, before the first build: the unit tests pinning the official plugins' state shapes.
  if [ -z "${tested:-}" ]; then
    (cd "$here" && go test ./...) >"$staging/go-test.log" 2>&1 ||
      { cat "$staging/go-test.log" >&2; rm -rf "$staging"; exit 1; }
    tested=1
  fi
  (cd "$here" && go build -trimpath -ldflags "-s -w -X main.version=$version" \
    -o "$staging/pulumi-resource-$name" "./$name") >"$staging/go.log" 2>&1 ||
    { cat "$staging/go.log" >&2; rm -rf "$staging"; exit 1; }
  pulumi plugin install resource "$name" "$version" --file "$staging/pulumi-resource-$name" --reinstall >/dev/null
  echo "$source_hash" >"$dir/$marker"
  rm -rf "$staging"
  say "$name $version: the lab's stand-in installed ($dir)"
done
