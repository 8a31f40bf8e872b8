#!/usr/bin/env bash
# All set-up on a fresh machine, idempotent: npm packages, the Pulumi toolchain (built from the Go
# module proxy on first run), the providers' plugins, the local state backend and its passphrase.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'setup: %s\n' "$*" >&2; }
started=$SECONDS

need_apt=()
command -v ssh >/dev/null || need_apt+=(openssh-client)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v dot >/dev/null || need_apt+=(graphviz)
# npm run smoke uploads the job as Twister2's uploader does: rsync over ssh.
command -v rsync >/dev/null || need_apt+=(rsync)
# The worker-image e2e test compiles a tiny Java job here.
command -v javac >/dev/null && command -v jar >/dev/null || need_apt+=(openjdk-17-jdk-headless)
# The Mesos e2e test's real clients (test/e2e/mesos-clients): a virtualenv of Debian's python3, whose
# http-parser pymesos needs (its C part no longer builds from PyPI on Python 3.11).
for pkg in python3-venv python3-http-parser; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing ${need_apt[*]} from Debian"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.t2-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >node_modules/.t2-lock-hash
fi

bash scripts/toolchain.sh
# A resource plugin for each provider package: the installed one, else the lab's stand-in.
bash lab/providers/install.sh

mkdir -p .state/backend
if [ ! -s .state/passphrase ]; then
  say "generating the passphrase for stack secrets (.state/passphrase, kept out of git)"
  (umask 077 && head -c 32 /dev/urandom | base64 >.state/passphrase)
fi
say "ready in $((SECONDS - started))s"
