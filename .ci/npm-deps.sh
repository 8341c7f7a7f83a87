#!/usr/bin/env bash
# Installs node_modules from package-lock.json with Node 22 (source .ci/node22.sh first),
# skipping the work when the lockfile has not changed since the last install.
set -euo pipefail
stamp=node_modules/.gantry-lock-stamp
want="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "gantry: installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
