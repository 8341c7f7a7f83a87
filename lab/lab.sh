#!/usr/bin/env bash
# Gantry lab: three real servers (dev, uat, prod) on this machine, each with its own network
# namespace, sshd and dockerd. Usage: lab/lab.sh <command>; see lab/README.md.
set -euo pipefail
# The daemons started here must not inherit a caller's session (tests run inside a throwaway
# keyring session whose XDG_RUNTIME_DIR is deleted when it ends; runc keeps state there).
unset XDG_RUNTIME_DIR XDG_DATA_HOME DBUS_SESSION_BUS_ADDRESS GANTRY_KEYRING_READY
# LAB_TRACE=1 traces every command with a timestamp (to find where time goes).
if [[ -n ${LAB_TRACE:-} ]]; then PS4='+ ${EPOCHREALTIME} '; set -x; fi
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export LAB_DIR
source "$LAB_DIR/lib/common.sh"
source "$LAB_DIR/lib/images.sh"
source "$LAB_DIR/lib/image-load.sh"
source "$LAB_DIR/lib/disks.sh"
source "$LAB_DIR/lib/deps.sh"
source "$LAB_DIR/lib/credentials.sh"
source "$LAB_DIR/lib/servers.sh"
source "$LAB_DIR/lib/domains.sh"
source "$LAB_DIR/lib/faults.sh"
source "$LAB_DIR/lib/env.sh"
load_recipes

usage() {
  cat >&2 <<'USAGE'
usage: lab/lab.sh <command>
  deps                 install the Debian packages the lab needs (no-op when present)
  images               build (or reuse cached) lab images only
  up                   start dev, uat and prod (idempotent)
  down                 stop everything; keeps keys and server disks (idempotent)
  reset                down, then delete the server disks (next up starts from clean disks)
  purge                reset, then delete the whole state folder (new keys and host keys)
  status               show what runs; exit 0 only when the whole lab is healthy
  env                  connection details as JSON (includes an ssh_config snippet)
  ssh-config           the ssh_config snippet alone
  fault <server> <action>
                       action: sshd-stop sshd-start docker-stop docker-start
                               net-cut net-restore disk-fill disk-free
  check-clean          exit non-zero if anything of the lab is left on the host
USAGE
}

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case "$cmd" in
  deps) lab_deps ;;
  images) require_root; lab_lock; lab_images ;;
  up) require_root; lab_lock; lab_up ;;
  down) require_root; lab_lock; lab_down ;;
  reset) require_root; lab_lock; lab_down; lab_reset_disks ;;
  purge) require_root; lab_lock; lab_down; lab_purge ;;
  status) require_root; lab_status ;;
  env) require_root; lab_env ;;
  ssh-config) require_root; lab_ssh_config ;;
  fault) require_root; lab_lock; lab_fault "$@" ;;
  check-clean) bash "$LAB_DIR/check-clean.sh" ;;
  -h|--help|help) usage ;;
  *) usage; exit 2 ;;
esac
