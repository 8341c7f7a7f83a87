#!/usr/bin/env bash
# Runs a command with a real, unlocked OS keychain: a private D-Bus session bus and a headless
# gnome-keyring (Secret Service), its keyring files in a throwaway folder so test secrets never
# touch the operator's own keyring. Usage: bash .ci/with-keyring.sh <command> [args...]
set -euo pipefail

if [ -n "${GANTRY_KEYRING_READY:-}" ]; then exec "$@"; fi
command -v gnome-keyring-daemon >/dev/null || { echo "gantry: gnome-keyring is not installed (apt-get install gnome-keyring dbus-x11 libsecret-tools)" >&2; exit 1; }

keyring_home="$(mktemp -d /tmp/gantry-keyring.XXXXXX)"
chmod 700 "$keyring_home"
mkdir -p "$keyring_home/data" "$keyring_home/runtime"
chmod 700 "$keyring_home/runtime"
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/runtime"

bus_info="$(dbus-daemon --session --fork --print-address=1 --print-pid=1)"
export DBUS_SESSION_BUS_ADDRESS="$(echo "$bus_info" | sed -n 1p)"
bus_pid="$(echo "$bus_info" | sed -n 2p)"
cleanup() {
  pkill -f "gnome-keyring-daemon.*$keyring_home" 2>/dev/null || true
  [ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null || true
  kill "$bus_pid" 2>/dev/null || true
  rm -rf "$keyring_home"
}
trap cleanup EXIT

# The password only unlocks this throwaway test keyring.
eval "$(printf 'gantry-test-keyring' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
keyring_pid="${GNOME_KEYRING_PID:-}"
export GANTRY_KEYRING_READY=1
"$@"
