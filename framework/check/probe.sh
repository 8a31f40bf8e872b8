# shellcheck shell=bash
# npm run check's probe of one host, read only (nothing is changed): framework/check/live.ts sends it
# over SSH, as root, after `set -euo pipefail`, followed by each component's fragment (its
# host/<component>-probe.sh, in a subshell with its settings, its lines prefixed with its id).
# A fragment prints one fact per line, "<name> <value...>", with `fact`; a service that is not there
# prints "absent".

fact() { printf '%s %s\n' "$1" "${2:-absent}"; }
unit_state() { systemctl is-active "$1" 2>/dev/null || true; }

# shellcheck source=/dev/null
. /etc/os-release
fact "host os" "$ID $VERSION_ID"
