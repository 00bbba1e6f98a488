#!/usr/bin/env bash
# Install one half of the project the same way everywhere: `make install`, CI and the Dockerfiles
# all call this script, so an image is built with exactly the steps the tests ran.
#
#   scripts/install.sh python [UV_SYNC_ARGS...]   .venv + uv sync --frozen (default: --all-extras)
#   scripts/install.sh uv                         .venv with the pinned uv only (`make dist`)
#   scripts/install.sh frontend                   npm ci in frontend/ (needs package-lock.json)
#
# `make demo` installs the runtime only (`python --no-dev --extra pipeline`); `make lint` and
# `make test` add the development group. HEALTHPREDICT_VENV puts the environment elsewhere.
set -euo pipefail

UV_VERSION="0.13.9"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="${HEALTHPREDICT_VENV:-.venv}"

ensure_uv() {
    local python="${PYTHON:-python3}"
    if [ ! -x "$venv/bin/python" ]; then
        echo "install: creating $venv with $("$python" --version 2>&1)"
        "$python" -m venv "$venv"
    fi
    if [ "$("$venv/bin/uv" --version 2>/dev/null | awk '{print $2}')" != "$UV_VERSION" ]; then
        echo "install: uv $UV_VERSION into $venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
}

install_python() {
    ensure_uv
    local sync_args=("$@")
    if [ "${#sync_args[@]}" -eq 0 ]; then
        sync_args=(--all-extras)
    fi
    # --compile-bytecode writes the .pyc files at install time: every command then starts without
    # compiling ~2,800 modules (and stays fast where PYTHONDONTWRITEBYTECODE is set, as in the
    # images). HEALTHPREDICT_COMPILE_BYTECODE=0 (`make demo`) skips it: compiling all ~10,000
    # files took 2 of the demo install's 2.7 minutes and 230 MB; Python then compiles only the
    # ~2,800 modules a command imports, once, on first use (~40 s on the loaded 2-core box).
    if [ "${HEALTHPREDICT_COMPILE_BYTECODE:-1}" != "0" ]; then
        sync_args=(--compile-bytecode "${sync_args[@]}")
    fi
    echo "install: uv sync --frozen --inexact ${sync_args[*]}"
    # --inexact keeps uv itself (not in the lock) in the venv; the lock pins everything else.
    UV_PROJECT_ENVIRONMENT="$venv" UV_PYTHON_DOWNLOADS=never \
        "$venv/bin/uv" sync --frozen --inexact --python "$venv/bin/python" "${sync_args[@]}"
}

install_frontend() {
    if [ ! -f frontend/package.json ]; then
        echo "install: frontend/package.json does not exist yet; skipping the frontend"
        return 0
    fi
    if [ ! -f frontend/package-lock.json ]; then
        echo "install: frontend/package-lock.json is missing; run 'npm install' in frontend/ and commit the lock" >&2
        return 1
    fi
    echo "install: npm ci in frontend/"
    (cd frontend && npm ci --no-audit --no-fund)
}

case "${1:-}" in
    python) shift; install_python "$@" ;;
    uv) ensure_uv ;;
    frontend) install_frontend ;;
    *)
        echo "usage: $0 python [uv sync args...] | uv | frontend" >&2
        exit 2
        ;;
esac
