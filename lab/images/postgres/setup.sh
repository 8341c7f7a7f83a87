# The package creates a "main" cluster; the entrypoint creates one in $PGDATA instead.
pg_dropcluster 15 main 2>/dev/null || rm -rf /var/lib/postgresql/15 /etc/postgresql/15
mkdir -p /var/lib/postgresql/data /run/postgresql
chown postgres:postgres /var/lib/postgresql/data /run/postgresql
chmod 755 /usr/local/bin/docker-entrypoint.sh
