# `lab.sh fault <server> <action>`: switches tests flip to produce real failures.
# Every fault is undone by its opposite action and by `up` (which restores a normal lab).

lab_fault() {
  local s=${1:-} action=${2:-}
  [[ -n $s && -n $action ]] || die "usage: lab.sh fault <dev|uat|prod> <action>"
  server_ip "$s" >/dev/null
  [[ -n $(server_init_pid "$s") ]] || die "server $s is not running (bash lab/lab.sh up)"
  case "$action" in
    sshd-stop) stop_sshd "$s"; wait_for 10 "$s sshd to close" bash -c "! timeout 1 bash -c 'exec 3<>/dev/tcp/$(server_ip "$s")/22'" ;;
    sshd-start) start_sshd "$s" ;;
    # Every open SSH session is dropped and new ones are refused (until sshd-start): the listener
    # stops and each per-connection sshd child is killed, in one go so no client reconnects between.
    ssh-drop) in_server "$s" sh -c 'pid=$(cat /run/sshd.pid 2>/dev/null) || exit 0; kids=$(pgrep -P "$pid"); kill -9 "$pid" $kids 2>/dev/null; true'
      rm -f "$(server_dir "$s")/run/sshd.pid" ;;
    docker-stop) stop_dockerd "$s" ;;
    docker-start) start_dockerd "$s" ;;
    net-cut) ip -n "$LAB_BRIDGE_NS" link set "$(server_port "$s")" down ;;
    net-restore) ip -n "$LAB_BRIDGE_NS" link set "$(server_port "$s")" up ;;
    # What the server sends is held to 20 Mbit/s (about 2.5 MB/s): long transfers stay long
    # on any machine, so a test can act in the middle of one.
    net-slow) ip netns exec "$(server_ns "$s")" tc qdisc replace dev eth0 root tbf rate 20mbit burst 64kb latency 400ms ;;
    net-fast) ip netns exec "$(server_ns "$s")" tc qdisc del dev eth0 root 2>/dev/null || true ;;
    disk-fill) fill_disk "$s" ;;
    disk-free) in_server "$s" rm -f /var/lib/docker/.gantry-lab-fill ;;
    *) die "unknown fault action '$action' (sshd-stop sshd-start ssh-drop docker-stop docker-start net-cut net-restore net-slow net-fast disk-fill disk-free)" ;;
  esac
  log "$s: $action"
}

# Allocates every free block of the server's Docker disk (fallocate: instant, and the sparse
# image on the host does not grow because ext4 only marks the blocks as allocated).
fill_disk() {
  in_server "$1" bash -euc '
    fill=/var/lib/docker/.gantry-lab-fill
    touch "$fill"
    for _ in 1 2 3; do
      avail=$(df -B1 --output=avail /var/lib/docker | tail -1 | tr -d " ")
      ((avail > 0)) || break
      size=$(( $(stat -c %s "$fill") + avail ))
      fallocate -l "$size" "$fill" 2>/dev/null || fallocate -l "$((size - 1048576))" "$fill" || true
    done
    sync -f /var/lib/docker
    df -B1 --output=avail /var/lib/docker | tail -1
  ' >/dev/null
}
