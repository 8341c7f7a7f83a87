#!/bin/bash
# Initialises /var/lib/mysql on first start from MARIADB_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD),
# MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD (or the MYSQL_ names), then runs mariadbd.
set -euo pipefail
if [[ ${1:-} == -* ]]; then set -- mariadbd "$@"; fi
if [[ ${1:-} != mariadbd && ${1:-} != mysqld ]]; then exec "$@"; fi
shift
datadir=/var/lib/mysql
root_pw=${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}
database=${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}
app_user=${MARIADB_USER:-${MYSQL_USER:-}}
app_pw=${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}
mkdir -p /run/mysqld "$datadir"
chown mysql:mysql /run/mysqld "$datadir"
if [[ ! -d $datadir/mysql ]]; then
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 1 150); do mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break; sleep 0.2; done
  sql() { mariadb --socket=/run/mysqld/init.sock -uroot; }
  esc() { printf '%s' "$1" | sed "s/'/''/g"; }
  {
    echo "DELETE FROM mysql.user WHERE User='';"
    if [[ -n $root_pw ]]; then
      echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(esc "$root_pw")';"
      echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(esc "$root_pw")';"
      echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    fi
    [[ -n $database ]] && echo "CREATE DATABASE IF NOT EXISTS \`$database\`;"
    if [[ -n $app_user ]]; then
      echo "CREATE USER '$(esc "$app_user")'@'%' IDENTIFIED BY '$(esc "$app_pw")';"
      [[ -n $database ]] && echo "GRANT ALL ON \`$database\`.* TO '$(esc "$app_user")'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } | sql
  kill "$pid"
  wait "$pid" || true
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "$@"
