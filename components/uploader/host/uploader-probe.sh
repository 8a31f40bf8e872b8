# shellcheck shell=bash
# npm run check on the uploader's host, read only: its web server's state.
# Runs after framework/check/probe.sh (`fact`, `unit_state`).
fact nginx "$(unit_state nginx)"
