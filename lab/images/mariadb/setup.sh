# The package initialises /var/lib/mysql; the entrypoint does that per container instead.
rm -rf /var/lib/mysql/*
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld /var/lib/mysql
chmod 755 /usr/local/bin/docker-entrypoint.sh
