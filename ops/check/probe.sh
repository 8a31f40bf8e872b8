# shellcheck shell=bash
# npm run check: what this host runs, read only (nothing is changed): check/main.ts sends it over SSH
# after `set -euo pipefail` and its settings. Prints one fact per line, "<name> <value...>"; a service
# that is not there prints "absent".
# Settings: ROLES (space-separated), FIRST_MANAGER (true on the swarm's first manager), OVERLAY_NAME,
# IMAGE (the worker image, on agents), NFS_PATH and NFS_IMPLEMENTATION (on the NFS server), ZOOKEEPER_PORT.
: "${ROLES?}" "${FIRST_MANAGER:=false}"

has_role() { case " $ROLES " in *" $1 "*) return 0 ;; esac; return 1; }
fact() { printf '%s %s\n' "$1" "${2:-absent}"; }
unit_state() { systemctl is-active "$1" 2>/dev/null || true; }

# shellcheck source=/dev/null
. /etc/os-release
fact os "$ID $VERSION_ID"

if command -v docker >/dev/null; then
  fact docker "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo down)"
  fact swarm "$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}' 2>/dev/null || echo down)"
  if [ "$FIRST_MANAGER" = true ]; then
    while read -r id; do
      [ -n "$id" ] || continue
      fact swarm-node "$(docker node inspect -f '{{.Status.Addr}} {{.Status.State}} {{.Spec.Role}} {{.Spec.Availability}} {{.ID}}' "$id")"
    done < <(docker node ls -q 2>/dev/null)
    fact overlay "$(docker network inspect -f '{{.Driver}} {{.Attachable}} {{.Scope}}' "$OVERLAY_NAME" 2>/dev/null || echo absent)"
  fi
  if has_role mesos-agent && [ -n "${IMAGE:-}" ]; then
    fact image "$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || echo absent)"
  fi
else
  fact docker absent
fi

if has_role zookeeper; then
  mode=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/${ZOOKEEPER_PORT:-2181}; echo srvr >&3; cat <&3" 2>/dev/null |
    sed -n 's/^Mode: //p' || true)
  fact zookeeper "${mode:-down}"
  fact zookeeper-id "$(cat /var/lib/zookeeper/myid 2>/dev/null || echo absent)"
fi
has_role mesos-master && fact mesos-master "$(unit_state mesos-master)"
has_role mesos-agent && fact mesos-agent "$(unit_state mesos-agent)"
if has_role nfs-server; then
  case "${NFS_IMPLEMENTATION:-kernel}" in
    ganesha)
      fact nfs-service "$(unit_state nfs-ganesha)"
      exported=$(dbus-send --system --print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/ExportMgr \
        org.ganesha.nfsd.exportmgr.ShowExports 2>/dev/null | grep -cF "string \"$NFS_PATH\"" || true) ;;
    *)
      fact nfs-service "$(unit_state nfs-server)"
      exported=$(exportfs -s 2>/dev/null | awk '{ print $1 }' | grep -cxF "$NFS_PATH" || true) ;;
  esac
  if [ "${exported:-0}" -gt 0 ]; then fact nfs-export "$NFS_PATH"; else fact nfs-export absent; fi
fi
has_role uploader && fact uploader-nginx "$(unit_state nginx)"
true
