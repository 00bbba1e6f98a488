#!/usr/bin/env bash
# `make demo` as a new user meets it: a fresh clone, empty uv, npm and pip caches, no
# PYTHONDONTWRITEBYTECODE. Prints the seconds until the runtime was installed and until the report
# answered, and the sizes of what the demo installed (the README quotes these).
#
#   scripts/measure-cold-demo.sh DATA [COMMIT]     COMMIT defaults to HEAD of this checkout
#
# Needs the package registries (PyPI, npm). Everything it writes is in a temporary folder that it
# removes afterwards, caches included; nothing in this checkout changes.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 path/to/dataset_diabetes.zip [COMMIT]" >&2
    exit 2
fi
data="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
commit="$(git -C "$root" rev-parse "${2:-HEAD}")"
work="$(mktemp -d "${TMPDIR:-/tmp}/healthpredict-cold-demo.XXXXXX")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
demo_pid=""

cleanup() {
    if [ -n "$demo_pid" ]; then
        kill -- -"$demo_pid" 2>/dev/null || true
        wait "$demo_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet --no-checkout "$root" "$work/repo"
git -C "$work/repo" checkout --quiet "$commit"
cd "$work/repo"

unset PYTHONDONTWRITEBYTECODE VIRTUAL_ENV
export UV_CACHE_DIR="$work/uv-cache" npm_config_cache="$work/npm-cache" PIP_NO_CACHE_DIR=1 \
    XDG_CACHE_HOME="$work/cache" HEALTHPREDICT_HOME="$work/repo/.healthpredict"

started=$(date +%s.%N)
set -m  # its own process group, so cleanup stops make, the experiment and the server together
make demo DATA="$data" PORT="$port" >"$work/demo.log" 2>&1 &
demo_pid=$!
set +m
installed=""
while kill -0 "$demo_pid" 2>/dev/null; do
    if [ -z "$installed" ] && [ -f .venv/.healthpredict-runtime ]; then
        installed=$(python3 -c "import time; print(round(time.time() - $started, 1))")
    fi
    if curl -sf "http://127.0.0.1:$port/summary" >/dev/null; then
        break
    fi
    sleep 1
done
served=$(python3 -c "import time; print(round(time.time() - $started, 1))")
if ! curl -sf "http://127.0.0.1:$port/summary" >/dev/null; then
    echo "measure-cold-demo: make demo stopped before the report answered:" >&2
    tail -n 20 "$work/demo.log" >&2
    exit 1
fi

megabytes() { du -s --apparent-size --block-size=1M "$1" | cut -f1; }
echo "commit ${commit:0:7}: runtime installed after ${installed:-?} s, report answering after ${served} s;" \
    ".venv $(megabytes .venv) MB, frontend/node_modules $(megabytes frontend/node_modules) MB," \
    "uv cache $(megabytes "$UV_CACHE_DIR") MB (apparent sizes)"
