#!/usr/bin/env bash
# stack.sh STACK: selects STACK in the local backend, creating it (passphrase secrets) the first time.
# Meant to be sourced after scripts/env.sh.
t2_select_stack() {
  local stack=$1
  if ! pulumi stack select "$stack" >/dev/null 2>&1; then
    echo "stack: creating stack '$stack' in $PULUMI_BACKEND_URL" >&2
    pulumi stack init "$stack" --secrets-provider passphrase >/dev/null
  fi
}

# t2_clear_stale_lock STACK: a `pulumi up` that was killed (SIGKILL, this machine losing power) leaves its
# lock in the local backend, and every later run stops on "the stack is currently locked". A lock whose
# process no longer runs on this machine guards nothing: `pulumi cancel` removes it. That is safe because
# the next `pulumi up` runs each interrupted step again, and every host step is idempotent (no node joins
# twice, no package is installed twice, an interrupted dpkg run is finished first). A lock of a process
# that still runs, or of another machine, is left alone.
t2_clear_stale_lock() {
  local stack=$1 dir lock pid host
  case "$PULUMI_BACKEND_URL" in file://*) ;; *) return 0 ;; esac
  dir="${PULUMI_BACKEND_URL#file://}"
  dir="${dir%%\?*}/.pulumi/locks"
  [ -d "$dir" ] || return 0
  while IFS= read -r lock; do
    pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$lock")
    host=$(sed -n 's/.*"hostname": *"\([^"]*\)".*/\1/p' "$lock")
    if [ -n "$pid" ] && [ "$host" = "$(hostname)" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "stack: $stack was locked by pulumi process $pid, which no longer runs (interrupted); clearing its lock (pulumi cancel)" >&2
      pulumi cancel --yes --stack "$stack" >/dev/null
      return 0
    fi
  done < <(find "$dir" -path "*/$stack/*.json" -type f 2>/dev/null)
}
