#!/bin/bash
# Runs redis-server as the redis user, listening on all addresses, persisting to /data.
set -euo pipefail
if [[ ${1:-} == -* ]]; then set -- redis-server "$@"; fi
if [[ ${1:-} != redis-server ]]; then exec "$@"; fi
shift
chown redis:redis /data
args=(--bind 0.0.0.0 --protected-mode no --dir /data --daemonize no)
[[ -n ${REDIS_PASSWORD:-} ]] && args+=(--requirepass "$REDIS_PASSWORD")
exec setpriv --reuid=redis --regid=redis --init-groups -- redis-server "${args[@]}" "$@"
