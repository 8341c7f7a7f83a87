# Builds the lab's Docker images without any Docker daemon: debootstrap makes a Debian rootfs,
# each service adds one layer (apt-get in a chroot on an overlay mount; the upper directory is
# the layer), and the layers plus hand-written image configs form a `docker save`-style archive
# that every server loads (lib/image-load.sh). Layers are cached under $LAB_CACHE keyed by a hash of their recipe,
# so a recipe change rebuilds only that image (and whatever sits on top of it).
# Sourced by lab.sh after common.sh.

LAB_IMAGES_DIR="$LAB_DIR/images"
# Bump when the build procedure changes in a way that must invalidate every cached layer.
LAB_BUILDER_VERSION=5
# Package layers are built this many at a time (downloads happen once, up front).
LAB_BUILD_JOBS="${GANTRY_LAB_BUILD_JOBS:-3}"

# Recipes are read once into these arrays (subshells would otherwise re-hash them every call).
declare -a LAB_RECIPES=()
declare -A R_TAGS=() R_PARENT=() R_KIND=() R_PACKAGES=() R_HASH=()

load_recipes() {
  local name own
  # Parents before children; `base` is the debootstrap root of every image.
  LAB_RECIPES=(base python postgres mariadb redis clickhouse caddy pebble webapp-1 webapp-2)
  for name in "${LAB_RECIPES[@]}"; do
    [[ -f $LAB_IMAGES_DIR/$name/recipe ]] || die "missing recipe $LAB_IMAGES_DIR/$name/recipe"
    local TAGS="" PARENT="" KIND="" PACKAGES=""
    # shellcheck disable=SC1090
    source "$LAB_IMAGES_DIR/$name/recipe"
    R_TAGS[$name]=$TAGS R_PARENT[$name]=$PARENT R_KIND[$name]=$KIND R_PACKAGES[$name]=$PACKAGES
    own=$(cd "$LAB_IMAGES_DIR/$name" && find . -type f -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum | sha256sum | cut -c1-64)
    # A layer's hash covers its parent's, so changing base rebuilds everything above it.
    local parent_hash=""
    [[ -n $PARENT ]] && parent_hash=${R_HASH[$PARENT]}
    R_HASH[$name]=$(printf '%s\n' "v$LAB_BUILDER_VERSION" "$own" "$parent_hash" | sha256sum | cut -c1-16)
  done
}

lab_recipes() { printf '%s\n' "${LAB_RECIPES[@]}"; }
recipe_var() { # recipe_var NAME VAR
  case "$2" in
    TAGS) printf '%s' "${R_TAGS[$1]}" ;;
    PARENT) printf '%s' "${R_PARENT[$1]}" ;;
    KIND) printf '%s' "${R_KIND[$1]}" ;;
    PACKAGES) printf '%s' "${R_PACKAGES[$1]}" ;;
  esac
}
recipe_hash() { printf '%s\n' "${R_HASH[$1]}"; }

layer_file() { echo "$LAB_CACHE/layers/$1-$(recipe_hash "$1").tar"; }
config_file() { echo "$LAB_CACHE/configs/$1-$(recipe_hash "$1").json"; }
base_rootfs() { echo "$LAB_CACHE/rootfs/base-$(recipe_hash base)"; }

# Runs a shell command chrooted in ROOT inside a private mount namespace, so /proc, /dev and the
# apt cache mounts vanish with the process even when the command fails.
chroot_run() {
  local root=$1 script=$2 archives=${CHROOT_ARCHIVES:-$LAB_CACHE/apt/archives}
  mkdir -p "$LAB_CACHE/apt/lists/partial" "$archives/partial"
  unshare --mount --propagation private --fork -- bash -euc '
    root=$1 cache=$2 script=$3 archives=$4
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    [[ -e $root/etc/resolv.conf ]] || : >"$root/etc/resolv.conf"
    mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
    mount --bind "$cache/apt/lists" "$root/var/lib/apt/lists"
    mount --bind "$archives" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/bash -euc "$script"
  ' chroot_run "$root" "$LAB_CACHE" "$script" "$archives"
}

# Layer tars hold numeric owners and file capabilities; never device nodes or mount points' contents.
tar_layer() { # tar_layer DIR OUT
  tar --numeric-owner --xattrs --xattrs-include='security.capability' --sort=name \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' \
    --exclude='./tmp/*' -C "$1" -cf "$2.partial" .
  sha256sum "$2.partial" | cut -c1-64 >"$2.diffid"
  mv "$2.partial" "$2"
}

build_base() {
  local out rootfs tmp
  out=$(layer_file base)
  rootfs=$(base_rootfs)
  [[ -f $out && -d $rootfs ]] && return 0
  [[ -n $LAB_DEBIAN_MIRROR ]] ||
    die "no Debian mirror: the machine's apt configuration names none; set GANTRY_LAB_MIRROR to the machine's Debian mirror"
  log "building base image (debootstrap bookworm minbase)"
  tmp=$(mktemp -d "$LAB_CACHE/tmp/base.XXXXXX")
  mkdir -p "$LAB_CACHE/apt/debootstrap"
  # Two stages, so that dpkg in the second one already runs with the image's own settings
  # (no documentation, and no fsync per file: force-unsafe-io roughly halves the install time;
  # a crash mid-build only costs a rebuild).
  debootstrap --foreign --variant=minbase --include=tini,ca-certificates --cache-dir="$LAB_CACHE/apt/debootstrap" \
    bookworm "$tmp/rootfs" "$LAB_DEBIAN_MIRROR" >"$tmp/debootstrap.log" 2>&1 ||
    { tail -20 "$tmp/debootstrap.log" >&2; die "debootstrap failed (log: $tmp/debootstrap.log)"; }
  cp -a "$LAB_IMAGES_DIR/base/rootfs/." "$tmp/rootfs/"
  # The image's apt uses the same mirror as debootstrap did (the machine's, or the override).
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$LAB_DEBIAN_MIRROR" "$LAB_DEBIAN_MIRROR" >"$tmp/rootfs/etc/apt/sources.list"
  # Its own mount namespace: whatever the second stage mounts (proc, sys) goes away with it.
  unshare --mount --propagation private --fork -- \
    chroot "$tmp/rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /debootstrap/debootstrap --second-stage >>"$tmp/debootstrap.log" 2>&1 ||
    { tail -20 "$tmp/debootstrap.log" >&2; die "debootstrap (second stage) failed (log: $tmp/debootstrap.log)"; }
  # Package lists for the layers above; the base itself stays at the release's versions (the
  # lab is a throwaway test bed on a private subnet, and this saves a full upgrade run).
  chroot_run "$tmp/rootfs" '
    apt-get update -qq
    rm -rf /var/log/apt/* /var/cache/debconf/*-old /var/lib/dpkg/*-old /root/.bash_history
    : >/var/log/dpkg.log
  '
  # debootstrap's own package lists and downloads stay behind the bind mounts: drop them.
  rm -rf "$tmp/rootfs/var/lib/apt/lists/"* "$tmp/rootfs/var/cache/apt/"*.bin "$tmp/rootfs/var/cache/apt/archives/"*.deb
  rm -rf "${rootfs:?}"
  mkdir -p "$(dirname "$rootfs")" "$LAB_CACHE/layers"
  tar_layer "$tmp/rootfs" "$out"
  mv "$tmp/rootfs" "$rootfs"
  rm -rf "$tmp"
}

# Turns an overlayfs upper directory into a Docker layer: whiteout devices become .wh. files and
# opaque directories get a .wh..wh..opq marker (the OCI layer conventions).
overlay_upper_to_layer() {
  local upper=$1 f d
  while IFS= read -r -d '' f; do
    if [[ $(stat -c '%t:%T' "$f") == 0:0 ]]; then
      rm -f "$f"
      : >"$(dirname "$f")/.wh.$(basename "$f")"
    fi
  done < <(find "$upper" -type c -print0)
  while IFS= read -r -d '' d; do
    if [[ $(getfattr --only-values -n trusted.overlay.opaque "$d" 2>/dev/null) == y ]]; then
      : >"$d/.wh..wh..opq"
    fi
  done < <(find "$upper" -type d -print0)
}

build_apt_layer() {
  local name=$1 out tmp packages
  out=$(layer_file "$name")
  packages=$(recipe_var "$name" PACKAGES)
  tmp=$(mktemp -d "$LAB_CACHE/tmp/$name.XXXXXX")
  mkdir -p "$tmp/upper" "$tmp/work" "$tmp/merged"
  # apt locks its archive folder: each parallel build gets its own hard-linked copy.
  cp -al "$LAB_CACHE/apt/archives" "$tmp/archives"
  rm -rf "$tmp/archives/lock" "$tmp/archives/partial"  # a shared lock inode would serialise them again
  export CHROOT_ARCHIVES="$tmp/archives"
  log "building $name layer (apt: $packages)"
  unshare --mount --propagation private --fork -- bash -euc '
    lower=$1 tmp=$2
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work,metacopy=off,redirect_dir=off,index=off,xino=off" "$tmp/merged"
    shift 2
    "$@"
  ' build "$(base_rootfs)" "$tmp" bash -euc '
    source "$1"; source "$2"
    name=$3 merged=$4 packages=$5
    chroot_run "$merged" "apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends $packages >/dev/null"
    if [[ -d $LAB_IMAGES_DIR/$name/rootfs ]]; then
      cp -a --no-preserve=ownership "$LAB_IMAGES_DIR/$name/rootfs/." "$merged/"
    fi
    if [[ -f $LAB_IMAGES_DIR/$name/setup.sh ]]; then
      cp "$LAB_IMAGES_DIR/$name/setup.sh" "$merged/tmp/gantry-setup.sh"
      chroot_run "$merged" "bash /tmp/gantry-setup.sh"
    fi
  ' _ "$LAB_DIR/lib/common.sh" "$LAB_DIR/lib/images.sh" "$name" "$tmp/merged" "$packages" \
    >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log" >&2; die "building $name failed (log: $tmp/build.log)"; }
  # Leftovers of the package manager that must not end up in an image.
  rm -rf "$tmp/upper/tmp/"* "$tmp/upper/var/log/apt" "$tmp/upper/var/cache/apt/"*.bin "$tmp/upper/var/cache/debconf/"*-old \
    "$tmp/upper/var/lib/dpkg/"*-old "$tmp/upper/root/.bash_history" "$tmp/upper/var/cache/ldconfig/aux-cache"
  overlay_upper_to_layer "$tmp/upper"
  tar_layer "$tmp/upper" "$out"
  rm -rf "$tmp"
}

build_files_layer() {
  local name=$1 out
  out=$(layer_file "$name")
  log "building $name layer (files)"
  tar --numeric-owner --owner=0 --group=0 --sort=name -C "$LAB_IMAGES_DIR/$name/rootfs" -cf "$out.partial" .
  sha256sum "$out.partial" | cut -c1-64 >"$out.diffid"
  mv "$out.partial" "$out"
}

# The chain of recipes whose layers make up NAME's image, root first.
recipe_chain() {
  local name=$1 parent
  parent=$(recipe_var "$name" PARENT)
  [[ -n $parent ]] && recipe_chain "$parent"
  echo "$name"
}

write_image_config() {
  local name=$1 out diff_ids="[]" history="[]" layer created
  out=$(config_file "$name")
  [[ -f $out ]] && return 0
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for layer in $(recipe_chain "$name"); do
    diff_ids=$(jq -c --arg d "sha256:$(<"$(layer_file "$layer").diffid")" '. + [$d]' <<<"$diff_ids")
    history=$(jq -c --arg c "gantry-lab recipe $layer ($(recipe_hash "$layer"))" --arg t "$created" \
      '. + [{created: $t, created_by: $c}]' <<<"$history")
  done
  mkdir -p "$(dirname "$out")"
  jq -c --argjson ids "$diff_ids" --argjson history "$history" --arg t "$created" \
    '{architecture: "amd64", os: "linux", created: $t, config: ., rootfs: {type: "layers", diff_ids: $ids}, history: $history}' \
    "$LAB_IMAGES_DIR/$name/config.json" >"$out.partial"
  mv "$out.partial" "$out"
}

# Image ID as Docker computes it: the sha256 of the config JSON bytes.
image_id() { echo "sha256:$(sha256sum "$(config_file "$1")" | cut -c1-64)"; }

# Downloads the packages of every apt layer still to build in one apt run (on a throwaway
# overlay of the base), so the parallel layer builds find them in the archive cache.
download_packages() {
  local packages=$* tmp
  tmp=$(mktemp -d "$LAB_CACHE/tmp/download.XXXXXX")
  mkdir -p "$tmp/upper" "$tmp/work" "$tmp/merged"
  log "downloading packages: $packages"
  unshare --mount --propagation private --fork -- bash -euc '
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged"
    source "$3"; source "$4"
    chroot_run "$2/merged" "apt-get install -y -qq --download-only $5 >/dev/null"
  ' download "$(base_rootfs)" "$tmp" "$LAB_DIR/lib/common.sh" "$LAB_DIR/lib/images.sh" "$packages" \
    >"$tmp/download.log" 2>&1 || { tail -20 "$tmp/download.log" >&2; die "package download failed"; }
  rm -rf "$tmp"
}

# The cache is shared by every lab instance on the machine: one builder at a time.
lock_image_cache() {
  mkdir -p "$LAB_CACHE"
  exec 8>"$LAB_CACHE/.lock"
  flock -w "${GANTRY_LAB_LOCK_WAIT:-900}" 8 || die "another lab.sh is building images in $LAB_CACHE"
}
unlock_image_cache() { exec 8>&-; }

# True when every layer and image config of the current recipes is in the cache.
images_cached() {
  local name
  for name in "${LAB_RECIPES[@]}"; do
    [[ -f $LAB_CACHE/layers/$name-${R_HASH[$name]}.tar && -f $LAB_CACHE/layers/$name-${R_HASH[$name]}.tar.diffid ]] || return 1
    [[ -z ${R_TAGS[$name]} || -f $LAB_CACHE/configs/$name-${R_HASH[$name]}.json ]] || return 1
  done
}

build_images() {
  local name kind todo=() packages="" failed=0
  images_cached && return 0
  mkdir -p "$LAB_CACHE/tmp" "$LAB_CACHE/layers" "$LAB_CACHE/configs"
  rm -rf "$LAB_CACHE/tmp/"*
  build_base
  for name in $(lab_recipes); do
    [[ $name == base || -f $(layer_file "$name") ]] && continue
    kind=$(recipe_var "$name" KIND)
    case "$kind" in
      apt) todo+=("$name"); packages+=" $(recipe_var "$name" PACKAGES)" ;;
      files) ;;
      *) die "recipe $name has unknown KIND '$kind'" ;;
    esac
  done
  if ((${#todo[@]})); then
    download_packages $packages
    for name in "${todo[@]}"; do
      while (($(jobs -rp | wc -l) >= LAB_BUILD_JOBS)); do wait -n || true; done
      (build_apt_layer "$name") &
    done
    wait
    for name in "${todo[@]}"; do
      [[ -f $(layer_file "$name") ]] || failed=1
    done
    ((failed == 0)) || die "some image layers failed to build"
  fi
  for name in $(lab_recipes); do
    [[ $(recipe_var "$name" KIND) == files && ! -f $(layer_file "$name") ]] && build_files_layer "$name"
  done
  for name in $(lab_recipes); do
    [[ -n $(recipe_var "$name" TAGS) ]] && write_image_config "$name"
  done
  prune_image_cache
}

# Removes cached layers, configs and base roots that no current recipe refers to.
prune_image_cache() {
  local keep=() name f
  for name in $(lab_recipes); do
    keep+=("$name-$(recipe_hash "$name")")
  done
  keep+=("$(basename "$(golden_disk_file)" .img)")
  for f in "$LAB_CACHE"/layers/*.tar "$LAB_CACHE"/configs/*.json "$LAB_CACHE"/rootfs/* "$LAB_CACHE"/disks/*.img; do
    [[ -e $f ]] || continue
    local stem
    stem=$(basename "$f")
    stem=${stem%.tar}
    stem=${stem%.json}
    stem=${stem%.img}
    [[ " ${keep[*]} " == *" $stem "* ]] && continue
    log "pruning stale cache entry $(basename "$f")"
    rm -rf "$f" "$f.diffid"
  done
}

lab_images() {
  local start=$SECONDS
  lock_image_cache
  build_images
  unlock_image_cache
  log "images ready in $((SECONDS - start)) s"
  lab_image_list
}
