#!/usr/bin/env bash
# Electron security scan: @doyensec/electronegativity over the sources (electron/, renderer/) and
# the built out/, with no network (its translation and Electron-release look-ups would otherwise
# go out; they run in an empty network namespace and fail closed). Every finding must be listed,
# with the reason it is acceptable, in .ci/electronegativity-reviewed.txt; a finding that is not
# listed fails the stage. A finding is keyed by check, file and the start of its code sample
# (line numbers drift), so moving code keeps it reviewed and new code gets looked at.
set -uo pipefail
cd "$(dirname "$0")/.."
reviewed=.ci/electronegativity-reviewed.txt
[ -d out/main ] || { echo "out/ is missing: run \`npx electron-vite build\` first" >&2; exit 1; }
version=$(node -p "require('electron/package.json').version")
offline=(unshare -n --)
if ! unshare -n true 2>/dev/null; then offline=(unshare -rn --); fi
"${offline[@]}" true 2>/dev/null || { echo "cannot drop network (unshare): refusing to run the scan online" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for input in electron renderer out; do
  "${offline[@]}" npx --no-install electronegativity -i "$input" -e "$version" -r -v false -o "$tmp/$input.csv" >"$tmp/$input.log" 2>&1 ||
    { cat "$tmp/$input.log" >&2; echo "electronegativity failed on $input" >&2; exit 1; }
done
# issue,severity,confidence,file,location,sample,... → "ISSUE input/file sample-prefix"
node - "$tmp" >"$tmp/found.txt" <<'JS'
const { readFileSync } = require('node:fs');
const dir = process.argv[2];
const split = (line) => { const out = []; let cur = ''; let q = false; for (let i = 0; i < line.length; i++) { const c = line[i]; if (q) { if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; } else if (c === '"') q = true; else if (c === ',') { out.push(cur); cur = ''; } else cur += c; } out.push(cur); return out; };
for (const input of ['electron', 'renderer', 'out']) {
  for (const line of readFileSync(`${dir}/${input}.csv`, 'utf8').split('\n').slice(1)) {
    if (!line.trim()) continue;
    const [issue, , , file, , sample] = split(line);
    console.log(`${issue} ${input}/${file} ${sample.replace(/\s+/g, ' ').trim().slice(0, 50)}`);
  }
}
JS
sort -u "$tmp/found.txt" -o "$tmp/found.txt"
grep -v '^\s*#' "$reviewed" | grep -v '^\s*$' | sed 's/ *|.*$//' | sort -u >"$tmp/reviewed.txt"
new=$(comm -23 "$tmp/found.txt" "$tmp/reviewed.txt")
gone=$(comm -13 "$tmp/found.txt" "$tmp/reviewed.txt")
[ -n "$gone" ] && printf 'Reviewed findings no longer reported (remove them from %s):\n%s\n' "$reviewed" "$gone"
if [ -n "$new" ]; then
  printf 'New electronegativity findings, not explained in %s:\n%s\n' "$reviewed" "$new" >&2
  exit 1
fi
echo "electronegativity: $(wc -l <"$tmp/found.txt") findings, all reviewed"
