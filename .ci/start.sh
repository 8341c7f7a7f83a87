#!/usr/bin/env bash
# `npm start`: builds Gantry and launches it — the Electron app where the Electron binary can be
# obtained and a display exists, browser mode otherwise. `npm start -- --browser` forces browser mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/node22.sh
bash .ci/npm-deps.sh
npx electron-vite build >/dev/null

mode=electron
args=()
for arg in "$@"; do
  if [ "$arg" = "--browser" ]; then mode=browser; else args+=("$arg"); fi
done

if [ "$mode" = electron ]; then
  if [ "$(uname)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "Gantry: no display here, so the Electron window cannot open; starting browser mode instead."
    mode=browser
  elif ! timeout 120 node -e "require('electron')" >/dev/null 2>&1; then
    echo "Gantry: the Electron binary could not be downloaded on this machine; starting browser mode instead."
    mode=browser
  fi
fi

if [ "$mode" = electron ]; then
  exec npx electron-vite preview "${args[@]}"
fi
exec node out/main/browser.js "${args[@]}"
