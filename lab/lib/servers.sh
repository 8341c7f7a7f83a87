# Network, namespaces and daemons of the three servers: up, down, status.
# Layout: a bridge in its own namespace ($LAB_BRIDGE_NS) joins one veth per server namespace and
# one veth to the host ($LAB_HOST_IFACE). The bridge is not in the host namespace so the host's
# firewall (Docker sets FORWARD to DROP) never sees lab traffic. Servers get no default route.

# Daemons start with a clean environment: nothing of the caller's session (XDG_RUNTIME_DIR of a
# throwaway test keyring, DOCKER_HOST, proxies) may leak into a server.
DAEMON_ENV="env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8"

lab_require_tools() {
  local t missing=()
  for t in dockerd containerd sshd debootstrap nsenter unshare tini jq getfattr mkfs.ext4 losetup ip ssh-keygen openssl docker cron crontab docker-registry dnsmasq; do
    command -v "$t" >/dev/null 2>&1 || [[ -x /usr/sbin/$t ]] || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (run: bash lab/lab.sh deps)"
}

setup_network() {
  local existing
  existing=$(ip -4 route show "$LAB_SUBNET" 2>/dev/null | grep -v "dev $LAB_HOST_IFACE" || true)
  [[ -z $existing ]] || die "subnet $LAB_SUBNET is already routed on this host: $existing"
  netns_exists "$LAB_BRIDGE_NS" || ip netns add "$LAB_BRIDGE_NS"
  ip -n "$LAB_BRIDGE_NS" link set lo up
  ip -n "$LAB_BRIDGE_NS" link show br0 >/dev/null 2>&1 || ip -n "$LAB_BRIDGE_NS" link add br0 type bridge
  ip -n "$LAB_BRIDGE_NS" link set br0 up
  if ! ip link show "$LAB_HOST_IFACE" >/dev/null 2>&1; then
    ip link add "$LAB_HOST_IFACE" type veth peer name host netns "$LAB_BRIDGE_NS"
  fi
  ip -n "$LAB_BRIDGE_NS" link set host master br0 up
  ip addr replace "$LAB_HOST_ADDRESS/24" dev "$LAB_HOST_IFACE"
  ip link set "$LAB_HOST_IFACE" up
  local s ns
  for s in "${LAB_SERVERS[@]}"; do
    ns=$(server_ns "$s")
    netns_exists "$ns" || ip netns add "$ns"
    if ! ip -n "$LAB_BRIDGE_NS" link show "$(server_port "$s")" >/dev/null 2>&1; then
      ip -n "$ns" link del eth0 2>/dev/null || true
      ip -n "$LAB_BRIDGE_NS" link add "$(server_port "$s")" type veth peer name eth0 netns "$ns"
    fi
    ip -n "$LAB_BRIDGE_NS" link set "$(server_port "$s")" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr replace "$(server_ip "$s")/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
}

start_server_namespace() {
  local s=$1 dir pid
  dir=$(server_dir "$s")
  [[ -n $(server_init_pid "$s") ]] && return 0
  mkdir -p "$dir/run"
  find "$dir/run" -mindepth 1 -delete
  setsid $DAEMON_ENV nsenter --net="/run/netns/$(server_ns "$s")" \
    unshare --mount --uts --ipc --pid --fork --kill-child --propagation private --mount-proc -- \
    bash "$LAB_DIR/lib/server-init.sh" "$s" "$dir" </dev/null >>"$dir/log/init.log" 2>&1 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$dir/launcher.pid"
  wait_for 20 "$s namespace" test -f "$dir/run/gantry-lab.ready" ||
    { tail -5 "$dir/log/init.log" >&2; die "$s: server namespace did not start (log: $dir/log/init.log)"; }
}

sshd_running() { in_server "$1" sh -c 'kill -0 "$(cat /run/sshd.pid 2>/dev/null)"' >/dev/null 2>&1; }
dockerd_running() { in_server "$1" sh -c 'kill -0 "$(cat /run/docker.pid 2>/dev/null)"' >/dev/null 2>&1; }
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
docker_answers() { server_docker "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_sshd() {
  local s=$1 dir
  dir=$(server_dir "$s")
  if ! sshd_running "$s"; then
    # Daemons must not inherit the lock descriptors (8, 9), or they would hold the locks forever.
    in_server "$s" $DAEMON_ENV /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/log/sshd.log" 8>&- 9>&- ||
      die "$s: sshd did not start (log: $dir/log/sshd.log)"
  fi
  wait_for 10 "$s sshd" port_open "$(server_ip "$s")" 22 || die "$s: sshd is not listening"
}

stop_sshd() {
  in_server "$1" sh -c 'pid=$(cat /run/sshd.pid 2>/dev/null) || exit 0; kill "$pid" 2>/dev/null || exit 0
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done; kill -9 "$pid"'
  rm -f "$(server_dir "$1")/run/sshd.pid"
}

start_dockerd() {
  local s=$1 dir
  dir=$(server_dir "$s")
  if ! dockerd_running "$s"; then
    in_server "$s" $DAEMON_ENV sh -c 'setsid dockerd --data-root /var/lib/docker --exec-root /run/docker \
      --pidfile /run/docker.pid -H unix:///run/docker.sock --group docker \
      --iptables=false --ip-masq=false --cgroup-parent "/$3-$1" --shutdown-timeout 3 \
      --insecure-registry "$4" \
      --storage-driver overlay2 --log-level warn </dev/null >>"$2" 2>&1 &' _ "$s" "$dir/log/dockerd.log" "$LAB_PREFIX" "$LAB_SUBNET" 8>&- 9>&-
  fi
  wait_for 40 "$s dockerd" docker_answers "$s" ||
    { tail -5 "$dir/log/dockerd.log" >&2; die "$s: dockerd did not answer (log: $dir/log/dockerd.log)"; }
}

stop_dockerd() {
  in_server "$1" sh -c 'pid=$(cat /run/docker.pid 2>/dev/null) || exit 0; kill "$pid" 2>/dev/null || exit 0
    for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done; kill -9 "$pid"'
}

# Puts a server back to normal after tests: daemons running, network connected, disk not full.
clear_faults() {
  local s=$1
  ip -n "$LAB_BRIDGE_NS" link set "$(server_port "$s")" up
  ip netns exec "$(server_ns "$s")" tc qdisc del dev eth0 root 2>/dev/null || true
  in_server "$s" rm -f /var/lib/docker/.gantry-lab-fill
}

# A server started by an older lab.sh may lack a bind mount added since: add what is missing.
ensure_identity_mounts() {
  in_server "$1" bash -c 'for f in passwd group shadow hosts hostname resolv.conf crontab; do
    mountpoint -q "/etc/$f" || mount --bind "$0/etc/$f" "/etc/$f"; done
    mountpoint -q /etc/cron.d || mount --bind "$0/etc-cron.d" /etc/cron.d
    mountpoint -q /var/spool/cron || mount --bind "$0/spool-cron" /var/spool/cron' "$(server_dir "$1")"
}

# An image registry (Debian's docker-registry, plain HTTP on the lab subnet) on dev, port 5000:
# images pushed there carry a registry digest, so a migration pulls them instead of streaming.
lab_registry() { echo "$(server_ip dev):5000"; }
registry_running() { in_server dev sh -c 'kill -0 "$(cat /run/registry.pid 2>/dev/null)"' >/dev/null 2>&1; }
start_registry() {
  local dir
  dir=$(server_dir dev)
  registry_running && return 0
  mkdir -p "$dir/registry"
  printf '%s\n' 'version: 0.1' 'log: {level: warn}' \
    "storage: {filesystem: {rootdirectory: $dir/registry}, delete: {enabled: true}}" \
    "http: {addr: \"$(lab_registry)\"}" >"$dir/registry.yml"
  in_server dev $DAEMON_ENV sh -c 'setsid docker-registry serve "$1" </dev/null >>"$2" 2>&1 & echo $! >/run/registry.pid' \
    _ "$dir/registry.yml" "$dir/log/registry.log" 8>&- 9>&-
  wait_for 10 "dev registry" port_open "$(server_ip dev)" 5000 ||
    { tail -5 "$dir/log/registry.log" >&2; die "dev: the registry did not start (log: $dir/log/registry.log)"; }
}

# cron runs the scheduled tasks Gantry installs (crontab lines that `docker exec` into containers).
cron_running() { in_server "$1" sh -c 'kill -0 "$(cat /run/crond.pid 2>/dev/null)"' >/dev/null 2>&1; }
start_cron() {
  cron_running "$1" && return 0
  in_server "$1" $DAEMON_ENV /usr/sbin/cron 8>&- 9>&- || die "$1: cron did not start"
  wait_for 10 "$1 cron" cron_running "$1" || die "$1: cron did not start"
}

bring_up_server() {
  local s=$1
  write_server_files "$s"
  ensure_disk "$s"
  start_server_namespace "$s"
  ensure_identity_mounts "$s"
  clear_faults "$s"
  start_dockerd "$s"
  start_sshd "$s"
  start_cron "$s"
  [[ $s != dev ]] || start_registry
  ensure_server_images "$s"
  [[ $s != "$LAB_PROXY_SERVER" ]] || start_prod_proxy
}

check_ssh_login() { # check_ssh_login SERVER USER
  ssh -F none -o BatchMode=yes -o ConnectTimeout=5 -o IdentitiesOnly=yes \
    -i "$(keys_dir)/id_ed25519" -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$LAB_STATE/known_hosts" "$2@$(server_ip "$1")" true
}

lab_up() {
  local start=$SECONDS s pids=() failed=0
  lab_require_tools
  ensure_credentials
  lock_image_cache
  build_images
  lab_image_list >/dev/null  # computed once here, not in every server's subshell
  for s in "${LAB_SERVERS[@]}"; do
    [[ -f $(server_dir "$s")/disk.img ]] || { build_golden_disk; break; }
  done
  unlock_image_cache
  mkdir -p "$LAB_STATE/tmp"
  setup_network
  start_lab_dns
  for s in "${LAB_SERVERS[@]}"; do
    (bring_up_server "$s") &
    pids+=($!)
  done
  for s in "${pids[@]}"; do wait "$s" || failed=1; done
  ((failed == 0)) || die "some servers did not come up (see messages above; 'lab.sh down' cleans up)"
  pids=()
  for s in "${LAB_SERVERS[@]}"; do
    (check_ssh_login "$s" root || die "$s: root key login failed"
     check_ssh_login "$s" deploy || die "$s: deploy key login failed") &
    pids+=($!)
  done
  for s in "${pids[@]}"; do wait "$s" || failed=1; done
  ((failed == 0)) || die "SSH logins failed"
  write_env_json
  log "lab is up in $((SECONDS - start)) s: $(for s in "${LAB_SERVERS[@]}"; do printf '%s=%s ' "$s" "$(server_ip "$s")"; done)"
}

# PIDs of every process in the lab's network namespaces, found by namespace inode (not by name).
lab_namespace_pids() {
  local inodes=() ns p ino
  for ns in "$LAB_BRIDGE_NS" "${LAB_SERVERS[@]/#/$LAB_PREFIX-}"; do
    [[ -e /run/netns/$ns ]] && inodes+=("$(stat -L -c %i "/run/netns/$ns")")
  done
  ((${#inodes[@]})) || return 0
  for p in /proc/[0-9]*; do
    ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
    [[ " ${inodes[*]} " == *" $ino "* ]] && echo "${p#/proc/}"
  done
  return 0
}

stop_server() {
  local s=$1 pid launcher dir
  dir=$(server_dir "$s")
  pid=$(server_init_pid "$s")
  if [[ -n $pid ]]; then
    stop_dockerd "$s" 2>/dev/null || true
    kill -9 "$pid" 2>/dev/null || true
  fi
  launcher=$(cat "$dir/launcher.pid" 2>/dev/null || true)
  if [[ -n $launcher ]] && grep -q unshare "/proc/$launcher/cmdline" 2>/dev/null; then
    kill -9 "$launcher" 2>/dev/null || true
  fi
  rm -f "$dir/launcher.pid"
}

lab_down() {
  local s pids=() p
  for s in "${LAB_SERVERS[@]}"; do
    [[ -d $(server_dir "$s") ]] || continue
    (stop_server "$s") &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  stop_lab_dns
  # Anything still living in a lab namespace (a half-started server, a stray daemon) goes too.
  for p in $(lab_namespace_pids); do kill -9 "$p" 2>/dev/null || true; done
  wait_for 10 "lab processes to exit" test -z "$(lab_namespace_pids)" || true
  for s in "${LAB_SERVERS[@]}"; do
    netns_exists "$(server_ns "$s")" && ip netns del "$(server_ns "$s")"
  done
  netns_exists "$LAB_BRIDGE_NS" && ip netns del "$LAB_BRIDGE_NS"
  ip link show "$LAB_HOST_IFACE" >/dev/null 2>&1 && ip link del "$LAB_HOST_IFACE"
  remove_lab_cgroups
  release_loop_devices
  for s in "${LAB_SERVERS[@]}"; do
    [[ -d $(server_dir "$s")/run ]] && find "$(server_dir "$s")/run" -mindepth 1 -delete 2>/dev/null || true
  done
  rm -f "$LAB_STATE/env.json"
  log "lab is down"
}

remove_lab_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$LAB_PREFIX"-{dev,uat,prod} /sys/fs/cgroup/"$LAB_PREFIX"-{dev,uat,prod}; do
    [[ -d $d ]] || continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

lab_loop_devices() {
  local s
  for s in "${LAB_SERVERS[@]}"; do
    losetup -n -O NAME -j "$(server_dir "$s")/disk.img" 2>/dev/null || true
  done
}

release_loop_devices() {
  # Autoclear detaches them once the namespaces are gone, a moment later; wait, then force.
  wait_for 10 "loop devices to detach" test -z "$(lab_loop_devices)" && return 0
  local dev
  for dev in $(lab_loop_devices); do losetup -d "$dev" 2>/dev/null || true; done
}

lab_reset_disks() {
  local s
  for s in "${LAB_SERVERS[@]}"; do rm -f "$(server_dir "$s")/disk.img"; done
  log "server disks deleted; the next up starts from empty disks"
}

lab_purge() {
  [[ $LAB_STATE == /*/* ]] || die "refusing to delete state folder '$LAB_STATE'"
  rm -rf "$LAB_STATE"
  log "deleted $LAB_STATE (keys, host keys, disks)"
}

lab_status() {
  local s ok=1 line
  printf '%-5s %-14s %-8s %-6s %-7s %-5s %-8s %s\n' SERVER ADDRESS RUNNING SSHD DOCKER CRON NETWORK DISK
  for s in "${LAB_SERVERS[@]}"; do
    local running=no sshd=down docker=down cron=down net=cut disk=-
    if [[ -n $(server_init_pid "$s") ]]; then
      running=yes
      port_open "$(server_ip "$s")" 22 && sshd=up
      docker_answers "$s" && docker=up
      cron_running "$s" && cron=up
      disk=$(in_server "$s" df -h --output=used,size,pcent /var/lib/docker 2>/dev/null | tail -1 | awk '{print $1"/"$2" ("$3")"}')
    fi
    ip -n "$LAB_BRIDGE_NS" link show "$(server_port "$s")" 2>/dev/null | grep -q 'state UP' && net=ok
    [[ $running == yes && $sshd == up && $docker == up && $cron == up && $net == ok ]] || ok=0
    printf '%-5s %-14s %-8s %-6s %-7s %-5s %-8s %s\n' "$s" "$(server_ip "$s")" "$running" "$sshd" "$docker" "$cron" "$net" "$disk"
  done
  if [[ -n $(server_init_pid dev) ]] && registry_running; then echo "registry: up at $(lab_registry) (on dev)"; else echo "registry: down"; ok=0; fi
  domains_status || ok=0
  ((ok)) && { echo "lab: up (state $LAB_STATE)"; return 0; }
  echo "lab: not fully up (bash lab/lab.sh up)"
  return 1
}
