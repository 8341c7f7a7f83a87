mkdir -p /data && chown redis:redis /data
chmod 755 /usr/local/bin/docker-entrypoint.sh
