#!/usr/bin/env bash
# Run a command and print how long it took, so CI logs show where the minutes go.
#   scripts/timed.sh LABEL COMMAND [ARGS...]
set -euo pipefail
label="$1"
shift
start=$(date +%s)
status=0
"$@" || status=$?
echo "[timing] $label: $(($(date +%s) - start)) s$([ "$status" -eq 0 ] || echo " (exit $status)")"
exit "$status"
