# Shared settings and helpers for lab.sh. Sourced, never run.
# Every name the lab creates on the host starts with $LAB_PREFIX ("gantry-lab": namespaces,
# cgroups, lock) or is the single host interface $LAB_HOST_IFACE ("gantrylab0"), so `down` and
# `check-clean.sh` can find them all. GANTRY_LAB_INSTANCE=<name> (up to 5 letters) runs a second,
# independent lab next to the default one; give it its own GANTRY_LAB_SUBNET_PREFIX too.

LAB_SERVERS=(dev uat prod)
LAB_INSTANCE="${GANTRY_LAB_INSTANCE:-}"
[[ $LAB_INSTANCE =~ ^[a-z0-9]{0,5}$ ]] || { echo "GANTRY_LAB_INSTANCE must be up to 5 of [a-z0-9]" >&2; exit 2; }
LAB_PREFIX="gantry-lab${LAB_INSTANCE:+-$LAB_INSTANCE}"
LAB_SUBNET_PREFIX="${GANTRY_LAB_SUBNET_PREFIX:-10.213.47}"
LAB_SUBNET="$LAB_SUBNET_PREFIX.0/24"
LAB_HOST_ADDRESS="$LAB_SUBNET_PREFIX.1"
LAB_HOST_IFACE="gantrylab${LAB_INSTANCE:-0}"
LAB_BRIDGE_NS="$LAB_PREFIX-br"
LAB_STATE="${GANTRY_LAB_STATE:-/var/lib/$LAB_PREFIX}"
LAB_LOCK="/run/lock/$LAB_PREFIX.lock"
LAB_CACHE="${GANTRY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gantry}/lab"
LAB_DISK_SIZE="${GANTRY_LAB_DISK_SIZE:-8G}"
LAB_DEPLOY_UID=1500
LAB_DOCKER_GID=1501
# The machine's own Debian mirror (its apt configuration), unless GANTRY_LAB_MIRROR names another.
machine_debian_mirror() {
  local uri
  uri=$(
    {
      awk 'tolower($1) == "uris:" { uris = $2 } tolower($1) == "suites:" && uris != "" && $0 !~ /-security/ { print uris; exit }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null
      awk '$1 == "deb" && $0 !~ /-security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
    } | head -1
  )
  printf '%s\n' "${uri%/}"
}
LAB_DEBIAN_MIRROR="${GANTRY_LAB_MIRROR:-$(machine_debian_mirror)}"

log() { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

server_ip() {
  case "$1" in
    dev) echo "$LAB_SUBNET_PREFIX.11" ;;
    uat) echo "$LAB_SUBNET_PREFIX.12" ;;
    prod) echo "$LAB_SUBNET_PREFIX.13" ;;
    *) die "unknown server '$1' (expected dev, uat or prod)" ;;
  esac
}
server_ns() { echo "$LAB_PREFIX-$1"; }
server_dir() { echo "$LAB_STATE/servers/$1"; }
server_socket() { echo "$(server_dir "$1")/run/docker.sock"; }

# PID (in the host's PID namespace) of a server's init, or nothing when it is not running.
server_init_pid() {
  local launcher_file pid child
  launcher_file="$(server_dir "$1")/launcher.pid"
  [[ -f $launcher_file ]] || return 0
  pid=$(<"$launcher_file")
  [[ -d /proc/$pid ]] || return 0
  grep -q 'unshare' "/proc/$pid/cmdline" 2>/dev/null || return 0
  child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
  [[ -n $child ]] && echo "$child"
}

# Run a command inside a running server (all of its namespaces; PID namespace via a fork).
in_server() {
  local name=$1 pid
  shift
  pid=$(server_init_pid "$name")
  [[ -n $pid ]] || die "server $name is not running"
  nsenter -t "$pid" -n -m -u -i -p -- "$@"
}

server_docker() {
  local name=$1
  shift
  docker -H "unix://$(server_socket "$name")" "$@"
}

netns_exists() { [[ -e /run/netns/$1 ]]; }

wait_for() {
  # wait_for SECONDS DESCRIPTION COMMAND...: polls every 0.2 s.
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "timed out waiting for $what"; return 1; }
    sleep 0.2
  done
}

require_root() { [[ $EUID -eq 0 ]] || die "the lab needs root (namespaces, loop devices, dockerd)"; }
# The server's veth port on the lab bridge (inside $LAB_BRIDGE_NS); down = network cut.
server_port() { echo "gl-$1"; }

# Serialises commands that change the lab: test runs of several projects may call `up` at once.
lab_lock() {
  mkdir -p "$(dirname "$LAB_LOCK")"
  exec 9>"$LAB_LOCK"
  flock -w "${GANTRY_LAB_LOCK_WAIT:-900}" 9 || die "another lab.sh holds $LAB_LOCK"
}
