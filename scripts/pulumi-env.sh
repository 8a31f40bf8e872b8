#!/usr/bin/env bash
# Sourced by the other scripts: puts this project's Pulumi toolchain on PATH and keeps Pulumi from
# downloading anything. Versions come from toolchain/*/go.mod; scripts/toolchain.sh builds them.
_t2_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# go_mod_version FILE MODULE: the version FILE requires MODULE at.
_t2_go_mod_version() {
  awk -v module="$2" '$0 !~ /=>/ { for (i = 1; i < NF; i++) if ($i == module) { print $(i + 1); exit } }' "$1"
}
T2_PULUMI_VERSION=$(_t2_go_mod_version "$_t2_root/toolchain/pulumi/go.mod" github.com/pulumi/pulumi/pkg/v3)
T2_LANGHOST_VERSION=$(_t2_go_mod_version "$_t2_root/toolchain/pulumi-language-nodejs/go.mod" github.com/pulumi/pulumi/sdk/v3)
T2_TOOLCHAIN_BIN="${XDG_CACHE_HOME:-$HOME/.cache}/twister2-cluster/toolchain/pulumi-${T2_PULUMI_VERSION}-nodejs-${T2_LANGHOST_VERSION}/bin"
export T2_PULUMI_VERSION T2_LANGHOST_VERSION T2_TOOLCHAIN_BIN
case ":$PATH:" in
  *":$T2_TOOLCHAIN_BIN:"*) ;;
  *) export PATH="$T2_TOOLCHAIN_BIN:$PATH" ;;
esac
# The policy pack's launcher (policy/PulumiPolicy.yaml names its runtime).
case ":$PATH:" in
  *":$_t2_root/policy:"*) ;;
  *) export PATH="$_t2_root/policy:$PATH" ;;
esac
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset _t2_root
