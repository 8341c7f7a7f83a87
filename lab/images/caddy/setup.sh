mkdir -p /data /config
