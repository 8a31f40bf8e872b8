#!/usr/bin/env bash
# Preflight (preflight.ts), before `pulumi up` changes anything anywhere: read-only checks of this host, run as the SSH
# login (as_root only to read). Prints "problem <check>|<what was found>|<fix>" per failure, "warning
# <check>|<what was found>" for what is accepted but worth saying (an operating system not proven in the lab), and
# "clock <seconds since the epoch>" for the program to compare with its own.
# Settings: PORTS (space-separated PORT/PROTO/UNIT[,UNIT]: each port free, or held by a process of one of
# those systemd units, or by the kernel while one of them is active), MIN_VAR_MB (free space under /var),
# CGROUP_V2 (true: require the unified hierarchy).
set -euo pipefail
: "${PORTS?}" "${MIN_VAR_MB:?}" "${CGROUP_V2:?}"

problem() { printf 'problem %s|%s|%s\n' "$1" "$2" "$3"; }
warning() { printf 'warning %s|%s\n' "$1" "$2"; }

printf 'clock %s\n' "$(date +%s.%N)"
login=$(id -un)
# A login whose sudo asks has its password (the host's sudoPasswordFile or sudoPassword, which
# SUDO_PASSWORD_SETTING names) in T2_SUDO_PASSWORD, read from standard input before this script
# (framework/remote/sudo.ts), and steps give it to `sudo -S -k`.
setting=${SUDO_PASSWORD_SETTING:-sudoPasswordFile}
if [ -z "${T2_SUDO_PASSWORD+set}" ]; then
  as_root() { sudo -n "$@"; }
  if ! sudo -n true 2>/dev/null; then
    problem sudo "sudo asks $login for a password, and the host has no sudoPasswordFile" \
      "set the host's sudoPasswordFile (a file whose first line is the password) or sudoPassword (a secret of the stack's config), or give $login passwordless sudo: echo '$login ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/$login (mode 0440)"
    exit 0
  fi
else
  as_root() { printf '%s\n' "$T2_SUDO_PASSWORD" | sudo -S -k -p '' "$@"; }
  # A sudo that does not ask would leave the password's line to the step's command: refused.
  if sudo -n -k true 2>/dev/null; then
    problem sudo "sudo asks $login for no password, yet the host has a $setting" \
      "remove the host's $setting"
    exit 0
  fi
  if ! as_root true 2>/dev/null; then
    if [ "$setting" = sudoPassword ]; then
      fix="set the host's sudoPassword to $login's current password (pulumi config set --secret --path 'hosts[N].sudoPassword')"
    else
      fix="put $login's current password on the first line of the file"
    fi
    problem sudo "sudo refuses the password in the host's $setting for $login (or $login may not run commands as root)" \
      "$fix, and check that sudoers lets $login run any command as root"
    exit 0
  fi
fi
# Every step runs `sudo [env K=v ...] twister2-step ...`, found in /usr/local/bin (where the setup step puts it).
# shellcheck disable=SC2016 # root's shell expands it
sudo_path=$(as_root sh -c 'echo "$PATH"')
case ":$sudo_path:" in
  *:/usr/local/bin:*) ;;
  *) problem sudo "sudo's PATH ($sudo_path) lacks /usr/local/bin" \
    "add it to secure_path in /etc/sudoers (Debian's and Ubuntu's default has it)" ;;
esac

# shellcheck source=/dev/null
. /etc/os-release
# Proven by the lab's end-to-end tests: Debian 12 and 13. Accepted, not proven: Ubuntu 22.04 and 24.04.
case "$ID $VERSION_ID" in
  "debian 12" | "debian 13") ;;
  "ubuntu 22.04" | "ubuntu 24.04")
    warning os "${PRETTY_NAME:-$ID $VERSION_ID} is accepted, but the end-to-end tests do not deploy on it (they deploy on Debian 12 and 13)" ;;
  *) problem os "${PRETTY_NAME:-$ID $VERSION_ID}" "use Debian 12 or 13 (or, untested, Ubuntu 22.04/24.04)" ;;
esac

if [ "$CGROUP_V2" = true ]; then
  cgroup=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)
  [ "$cgroup" = cgroup2fs ] || problem cgroup "/sys/fs/cgroup is $cgroup, not cgroup v2" \
    "boot with the unified hierarchy (systemd.unified_cgroup_hierarchy=1), or set preflight.cgroupV2: false"
fi

free_mb=$(df -Pm /var | awk 'NR == 2 { print $4 }')
[ "$free_mb" -ge "$MIN_VAR_MB" ] || problem disk "$free_mb MB free under /var" \
  "free at least $MIN_VAR_MB MB under /var (packages, Docker images, Mesos sandboxes)"

for spec in $PORTS; do
  port=${spec%%/*}
  rest=${spec#*/}
  proto=${rest%%/*}
  units=${rest#*/}
  listeners=$(as_root ss -H -l -n -p "--$proto" "sport = :$port" 2>/dev/null || true)
  [ -n "$listeners" ] || continue
  pids=$(grep -o 'pid=[0-9]*' <<<"$listeners" | cut -d= -f2 | sort -u || true)
  if [ -z "$pids" ]; then
    # A kernel socket (nfsd, VXLAN): fine while the service that asked for it runs.
    for unit in ${units//,/ }; do
      systemctl is-active -q "$unit" && continue 2
    done
    problem "port $port/$proto" "held by the kernel, and none of $units is running" "free $port/$proto"
    continue
  fi
  for pid in $pids; do
    # A process that ended since ss saw it (a service stopping) holds nothing any more.
    unit=$(ps -o unit= -p "$pid" 2>/dev/null | tr -d ' ') || continue
    case ",$units," in
      *",${unit%.service},"*) ;;
      *) problem "port $port/$proto" "held by $(ps -o comm= -p "$pid" 2>/dev/null || echo '?') (pid $pid, ${unit:-no unit})" \
        "stop it or move it: this host's roles need $port/$proto for ${units//,/ or }" ;;
    esac
  done
done
