#!/usr/bin/env bash
# Exits non-zero (and says what) if anything of the lab is left on the host: network namespaces,
# interfaces, mounts, loop devices, cgroups or processes. Run after `lab.sh down`.
set -uo pipefail
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$LAB_DIR/lib/common.sh"
leftovers=0
report() { echo "left over: $*"; leftovers=1; }

names="$LAB_PREFIX-br $LAB_PREFIX-dev $LAB_PREFIX-uat $LAB_PREFIX-prod"
for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
  [[ " $names " == *" $ns "* ]] && report "network namespace $ns"
done
ip link show "$LAB_HOST_IFACE" >/dev/null 2>&1 && report "interface $LAB_HOST_IFACE"
ip -4 route show "$LAB_SUBNET" 2>/dev/null | grep -q . && report "route to $LAB_SUBNET"
while read -r line; do report "mount $line"; done < <(grep -E "/run/netns/$LAB_PREFIX-(br|dev|uat|prod) |$LAB_STATE/" /proc/self/mountinfo | awk '{print $5}')
while read -r line; do report "loop device $line"; done < <(losetup -n -O NAME,BACK-FILE 2>/dev/null | grep -E "$LAB_STATE/|$LAB_CACHE/" )
for d in /sys/fs/cgroup/*/"$LAB_PREFIX"-{dev,uat,prod} /sys/fs/cgroup/"$LAB_PREFIX"-{dev,uat,prod}; do [[ -e $d ]] && report "cgroup $d"; done
for p in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
  [[ $cmd == *"$LAB_STATE/servers/"* || $cmd == *"$LAB_STATE/dns/"* || $cmd =~ --cgroup-parent\ /$LAB_PREFIX-(dev|uat|prod)\  ]] &&
    report "process ${p#/proc/}: $cmd"
done
((leftovers)) && exit 1
echo "clean: no lab namespaces, interfaces, mounts, loop devices, cgroups or processes"
