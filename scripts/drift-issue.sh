#!/usr/bin/env bash
# drift-issue.sh STACK REPORT STATUS: keeps one GitHub issue per stack in step with its drift report
# (npm run drift -- STACK --markdown, and its exit status): drift (1) opens the issue "Drift: STACK", or
# brings the open one's body up to date; no drift (0) closes the open one, saying so; any other status
# fails, the report left to the workflow's log. Needs gh, logged in (GH_TOKEN), with issues: write.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: drift-issue.sh STACK REPORT STATUS" >&2; exit 2; }
stack=$1 report=$2 status=$3
title="Drift: $stack"
open=$(gh issue list --state open --label drift --search "\"$title\" in:title" --json number,title \
  --jq ".[] | select(.title == \"$title\") | .number" | head -n 1)
case "$status" in
  1)
    if [ -n "$open" ]; then
      gh issue edit "$open" --body-file "$report" >/dev/null
      echo "drift: $stack still drifts; issue #$open brought up to date"
    else
      gh issue create --title "$title" --label drift --body-file "$report" >/dev/null
      echo "drift: $stack drifts; issue opened"
    fi
    ;;
  0)
    if [ -n "$open" ]; then
      gh issue close "$open" --comment "No drift any more: $(head -n 1 "$report" | sed 's/^## //')" >/dev/null
      echo "drift: $stack is clean again; issue #$open closed"
    else
      echo "drift: $stack is clean"
    fi
    ;;
  *)
    echo "drift: npm run drift -- $stack failed (exit $status); see above" >&2
    exit 1
    ;;
esac
