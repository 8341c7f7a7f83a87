#!/usr/bin/env bash
# `npm test`: the whole suite, from a fresh machine. Installs what it needs (Debian packages,
# Node 22, npm dependencies, lab images), then runs typecheck, lint, unit tests, the build, the
# lab integration tests and the browser end-to-end tests. Every stage runs even when an earlier
# one fails; the runners' own summary lines end the output and the exit code is non-zero if any
# stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
logs="$(mktemp -d /tmp/gantry-test.XXXXXX)"
failed=()
stage() {
  local name="$1"; shift
  echo
  echo "════ $name ════"
  if "$@" 2>&1 | tee "$logs/$name.log"; then echo "──── $name: ok"; else echo "──── $name: FAILED"; failed+=("$name"); fi
}

bash .ci/apt-deps.sh || { echo "gantry: could not install the Debian packages the tests need" >&2; exit 1; }
source .ci/node22.sh || exit 1
bash .ci/npm-deps.sh || { echo "gantry: npm ci failed" >&2; exit 1; }

stage typecheck npm run -s typecheck
stage lint npm run -s lint
stage build npx electron-vite build
stage electron-security bash .ci/electronegativity.sh
stage unit bash .ci/with-keyring.sh npx vitest run --project unit
if [ "${GANTRY_SKIP_LAB:-}" = 1 ]; then
  echo "GANTRY_SKIP_LAB=1: integration tests NOT run"; failed+=("integration(skipped)")
else
  stage integration bash .ci/with-keyring.sh npx vitest run --project integration
fi
stage e2e bash .ci/with-keyring.sh npx playwright test
if [ "${GANTRY_LAB_KEEP:-}" = 1 ] || [ "${GANTRY_SKIP_LAB:-}" = 1 ]; then
  echo "lab left as it is (GANTRY_LAB_KEEP or GANTRY_SKIP_LAB)"
else
  # The lab's promises: down leaves nothing behind; up and down are idempotent, also after an up
  # killed halfway (checked on an instance of its own, on its own subnet).
  stage lab-lifecycle bash -c 'bash lab/lab.sh down && bash lab/check-clean.sh && GANTRY_LAB_INSTANCE=life GANTRY_LAB_SUBNET_PREFIX=10.213.49 bash lab/lifecycle-check.sh'
fi

echo
echo "════ summary ════"
for name in unit integration e2e lab-lifecycle; do
  [ -f "$logs/$name.log" ] || continue
  echo "[$name]"
  plain="$(sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log")"
  # Which tests failed and the first line of why, so the end of the output is enough to act on.
  grep -E '^\s*FAIL\s|^\s+[0-9]+\) \[' <<<"$plain" | sort -u | head -8 | cut -c1-300
  grep -E '^\s*(AssertionError|Error|TypeError|GantryError)[:\s]' <<<"$plain" | head -4 | cut -c1-300
  grep -E '^\s*(Test Files|Tests|[0-9]+ (passed|failed|flaky|skipped|did not run))' <<<"$plain" | tail -6
  grep -E '^(left over: |lifecycle ok: )' <<<"$plain" | head -6
done
if [ "${#failed[@]}" -gt 0 ]; then echo "FAILED stages: ${failed[*]}"; exit 1; fi
echo "All stages passed."
