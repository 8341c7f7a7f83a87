# Server disks: each server's /var/lib/docker is a sparse ext4 image loop-mounted inside its own
# mount namespace. New disks are copies of a prepared disk that already holds every lab image
# (built once per image set and cached), so three servers do not each spend a minute in
# `docker load`. Disks are kept across down/up like a real server's; `reset` deletes them.

golden_disk_file() {
  local key
  key=$( (lab_image_list; echo "$LAB_DISK_SIZE") | sha256sum | cut -c1-16)
  echo "$LAB_CACHE/disks/docker-$key.img"
}

# Loads every lab image into a fresh disk with a throwaway dockerd in private namespaces.
build_golden_disk() {
  local out tmp start=$SECONDS
  out=$(golden_disk_file)
  [[ -f $out ]] && return 0
  log "preparing a server disk with every lab image (once per image set)"
  mkdir -p "$LAB_CACHE/disks" /var/lib/docker /etc/docker
  tmp=$(mktemp -d "$LAB_CACHE/tmp/disk.XXXXXX")
  truncate -s "$LAB_DISK_SIZE" "$tmp/disk.img"
  mkfs.ext4 -q -F -m 0 -L gantry-lab "$tmp/disk.img"
  mkdir -p "$tmp/run" "$tmp/etc-docker"
  stage_image_archive "$tmp/stage"
  unshare --mount --net --pid --ipc --fork --mount-proc --propagation private -- bash -euc '
    tmp=$1
    mount -o loop "$tmp/disk.img" /var/lib/docker
    mount --bind "$tmp/run" /run
    mount --bind "$tmp/etc-docker" /etc/docker
    ip link set lo up
    dockerd --data-root /var/lib/docker --exec-root /run/docker --pidfile /run/docker.pid \
      -H unix:///run/docker.sock --iptables=false --ip-masq=false --bridge=none --log-level warn \
      </dev/null >"$tmp/dockerd.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do docker -H unix:///run/docker.sock version >/dev/null 2>&1 && break; sleep 0.2; done
    tar -C "$tmp/stage" -ch . | docker -H unix:///run/docker.sock load -q
    kill "$pid"
    wait "$pid" || true
    # Per-engine state that each server must create for itself.
    rm -rf /var/lib/docker/network /var/lib/docker/tmp/* /var/lib/docker/engine-id
  ' prepare "$tmp" >"$tmp/prepare.log" 2>&1 ||
    { tail -20 "$tmp/prepare.log" "$tmp/dockerd.log" >&2; die "preparing the server disk failed"; }
  mv "$tmp/disk.img" "$out"
  rm -rf "$tmp"
  log "prepared server disk in $((SECONDS - start)) s"
}

ensure_disk() {
  local img
  img="$(server_dir "$1")/disk.img"
  [[ -f $img ]] && return 0
  if [[ -f $(golden_disk_file) ]]; then
    cp --sparse=always "$(golden_disk_file)" "$img.new"
  else
    truncate -s "$LAB_DISK_SIZE" "$img.new"
    mkfs.ext4 -q -F -m 0 -L "gantry-$1" "$img.new"
  fi
  mv "$img.new" "$img"
}
