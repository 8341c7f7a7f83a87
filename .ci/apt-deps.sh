#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (browser, keychain, and — through
# lab/lab.sh deps — the lab's sshd, dockerd and friends). Fast no-op when all are present.
set -euo pipefail
packages=(chromium gnome-keyring dbus dbus-x11 libsecret-tools fonts-dejavu-core procps)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "gantry: missing Debian packages (${missing[*]}); install them as root" >&2; exit 1; fi
  echo "gantry: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -f lab/lab.sh ]; then bash lab/lab.sh deps; fi
