# shellcheck shell=bash
# npm run check's probe of one host, read only (nothing is changed): framework/check/live.ts sends it
# over SSH, as root, after `set -euo pipefail`, followed by each component's fragment (its
# host/<component>-probe.sh, in a subshell with its settings, its lines prefixed with its id).
# A fragment prints one fact per line, "<name> <value...>", with `fact`; a service that is not there
# prints "absent".

# fact NAME VALUE: one line, whatever VALUE holds (a command that failed may have printed a blank line
# before the `|| echo absent` after it); an empty VALUE is "absent".
fact() {
  local value
  value=$(printf '%s' "${2:-}" | tr -s '\n\t' '  ' | sed 's/^ *//; s/ *$//')
  printf '%s %s\n' "$1" "${value:-absent}"
}
unit_state() { systemctl is-active "$1" 2>/dev/null || true; }

# shellcheck source=/dev/null
. /etc/os-release
fact "host os" "$ID $VERSION_ID"
# The release by codename, as pinned versions name it (zookeeper.version: { bookworm: ... }).
fact "host release" "${VERSION_CODENAME:-}"
