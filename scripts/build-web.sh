#!/usr/bin/env bash
# Build the report page into frontend/dist: `make build`, CI and Dockerfile.web all call this, so
# the page nginx serves in the compose deployment is built by the same steps the e2e test drove.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/frontend"

if [ ! -f package.json ]; then
    echo "build-web: frontend/package.json does not exist; nothing to build" >&2
    exit 1
fi
if [ ! -d node_modules ]; then
    echo "build-web: frontend/node_modules is missing; run scripts/install.sh frontend first" >&2
    exit 1
fi
npm run build
if [ ! -f dist/index.html ]; then
    echo "build-web: npm run build finished but frontend/dist/index.html was not written" >&2
    exit 1
fi
echo "build-web: frontend/dist is ready ($(du -sh dist | cut -f1))"
