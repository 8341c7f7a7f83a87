#!/bin/bash
# Runs clickhouse-server as the clickhouse user with the packaged configuration.
set -euo pipefail
if [[ ${1:-} != clickhouse-server ]]; then exec "$@"; fi
shift
mkdir -p /var/lib/clickhouse /var/log/clickhouse-server
chown clickhouse:clickhouse /var/lib/clickhouse /var/log/clickhouse-server
exec setpriv --reuid=clickhouse --regid=clickhouse --init-groups -- \
  clickhouse-server --config-file=/etc/clickhouse-server/config.xml "$@"
