#!/usr/bin/env bash
# PID 1 of a lab server: runs inside fresh mount, UTS, IPC and PID namespaces (and the server's
# network namespace), gives the server its own identity, /run, /tmp, homes and Docker disk,
# then hands over to tini, which reaps whatever the daemons leave behind.
# Usage (by lab.sh only): server-init.sh NAME SERVER_DIR
set -euo pipefail
name=$1 dir=$2

hostname "$name"
# Host's named network namespaces would stay pinned by this mount namespace; drop them here.
umount -R /run/netns 2>/dev/null || true
for f in passwd group shadow hosts hostname resolv.conf crontab; do mount --bind "$dir/etc/$f" "/etc/$f"; done
mount --bind "$dir/etc-cron.d" /etc/cron.d
mount --bind "$dir/spool-cron" /var/spool/cron
mount --bind "$dir/root" /root
mount -t tmpfs -o mode=755 gantry-lab-home /home
mkdir /home/deploy
mount --bind "$dir/home-deploy" /home/deploy
mount -t tmpfs -o mode=1777 gantry-lab-tmp /tmp
mkdir -p /etc/docker /var/lib/docker
mount --bind "$dir/etc-docker" /etc/docker
# /run is a host folder so the Docker socket is reachable from the host at $dir/run/docker.sock.
mount --bind "$dir/run" /run
mkdir -p /run/sshd /run/docker /run/lock
chmod 755 /run/sshd
# The loop device is set up with autoclear: it detaches when this namespace's last mount goes.
mount -o loop,noatime "$dir/disk.img" /var/lib/docker
# Docker warns on every `docker run` without forwarding; no default route keeps traffic in.
echo 1 >/proc/sys/net/ipv4/ip_forward
echo "$name" >/run/gantry-lab.ready
exec tini -s -- sleep infinity
