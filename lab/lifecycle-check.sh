#!/usr/bin/env bash
# Checks the lab's lifecycle promises end to end: `up` twice (idempotent), `down` leaves nothing
# behind, `down` twice is fine, and `down` cleans up after an `up` killed halfway.
# Run it on an instance of its own so it never disturbs a lab others are using:
#   GANTRY_LAB_INSTANCE=life GANTRY_LAB_SUBNET_PREFIX=10.213.49 bash lab/lifecycle-check.sh
set -euo pipefail
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lab() { bash "$LAB_DIR/lab.sh" "$@"; }
step() { printf '\n== %s\n' "$*" >&2; }

step "up (first)"
start=$SECONDS; lab up; first=$((SECONDS - start))
step "up again (must be a quick no-op)"
start=$SECONDS; lab up; second=$((SECONDS - start))
lab status
step "down, then check nothing is left"
start=$SECONDS; lab down; down=$((SECONDS - start))
bash "$LAB_DIR/check-clean.sh"
step "down again (idempotent)"
lab down
bash "$LAB_DIR/check-clean.sh"
step "up killed halfway, then down"
bash "$LAB_DIR/lab.sh" up >/dev/null 2>&1 &
pid=$!
sleep "${GANTRY_LAB_KILL_AFTER:-4}"
kill -9 -- "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
lab down
bash "$LAB_DIR/check-clean.sh"
printf '\nlifecycle ok: up %s s, second up %s s, down %s s\n' "$first" "$second" "$down"
