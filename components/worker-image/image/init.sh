#!/usr/bin/env bash
# A Twister2 worker container's start: sshd on 2022, the core and job packages from the uploader's web
# server, then the worker's class. Twister2's own docker/mesos/init.sh hard-codes the server; here it is
# the environment:
#   T2_FETCH_URI     the web server, Twister2's twister2.resource.HTTP.fetch.uri (http://host:8082); required
#   T2_JOB_PATH      the packages' path on it (default /twister2/mesos/, the uploader directory's URL path)
#   T2_CORE_PACKAGE  core package file name (default twister2-core.tar.gz)
#   T2_JOB_PACKAGE   job package file name (default twister2-job.tar.gz)
#   CLASS_NAME       the Java class to run; required
#   T2_SSHD_PORT     sshd's port (default 2022; empty: no sshd)
# The java exit code goes to /dev/termination-log and is this script's exit code.
set -euo pipefail

fail() {
  echo "twister2-init: ERROR: $*" >&2
  echo 1 >/dev/termination-log 2>/dev/null || true
  exit 1
}

[ -n "${CLASS_NAME:-}" ] || fail "CLASS_NAME is not set: give the Java class to run (docker run -e CLASS_NAME=...)"
[ -n "${T2_FETCH_URI:-}" ] || fail "T2_FETCH_URI is not set: give the uploader's web server, e.g. http://10.0.0.12:8082"
job_path=${T2_JOB_PATH:-/twister2/mesos/}
core_package=${T2_CORE_PACKAGE:-twister2-core.tar.gz}
job_package=${T2_JOB_PACKAGE:-twister2-job.tar.gz}
sshd_port=${T2_SSHD_PORT-2022}
# http://host:8082 + /twister2/mesos/ (either side may carry the slash).
base_url="${T2_FETCH_URI%/}/${job_path#/}"
base_url="${base_url%/}/"

if [ -n "$sshd_port" ]; then
  ssh-keygen -A >/dev/null
  mkdir -p /run/sshd
  /usr/sbin/sshd -p "$sshd_port" || fail "sshd did not start on port $sshd_port"
fi

# fetch FILE: downloads and unpacks one package into the working directory, or stops with the URL.
fetch() {
  local url="$base_url$1"
  echo "twister2-init: fetching $url" >&2
  curl --fail --silent --show-error --location --connect-timeout 10 --max-time 600 \
    --retry 3 --retry-delay 2 --retry-connrefused -o "$1" "$url" ||
    fail "could not download $url (curl exit $?); is the package uploaded and the uploader reachable from this container?"
  tar -xzf "$1" || fail "$1 from $url is not a gzip tar archive"
  rm -f "$1"
}

fetch "$core_package"
fetch "$job_package"

status=0
java -cp "twister2-core/lib/*:twister2-job/*:/customJars/*" "$CLASS_NAME" || status=$?
echo "$status" >/dev/termination-log 2>/dev/null || true
exit "$status"
