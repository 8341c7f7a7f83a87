# Getting the lab's images into a server's engine: the list of tags and IDs the cache defines,
# a `docker save`-style archive laid out from the cached layers, and loading only what a
# server lacks. Sourced by lab.sh after images.sh.

# Every tag the lab provides, one per line: "tag image-id recipe" (after build_images).
LAB_IMAGE_LIST=""
lab_image_list() {
  if [[ -z $LAB_IMAGE_LIST ]]; then
    local name tag
    for name in "${LAB_RECIPES[@]}"; do
      for tag in ${R_TAGS[$name]}; do
        LAB_IMAGE_LIST+="$tag $(image_id "$name") $name"$'\n'
      done
    done
  fi
  printf '%s' "$LAB_IMAGE_LIST"
}

# Lays out a docker-save archive in folder STAGE for the given recipes (default: every tagged
# one). Layers are symlinks to the cache (each layer once); stream it with `tar -C STAGE -ch .`.
# Symlinks, not hard links: linking changes a file's ctime and tar would see "file changed".
# With SKIP_CHAINS set (newline-separated "diffid,diffid,..." prefixes the engine already has),
# those layers are sent as empty files: `docker load` looks a layer up by chain ID before it
# opens the file, so an image whose layers are all present loads in a moment.
stage_image_archive() {
  local stage=$1 name layer manifest="[]" tags names chain
  shift
  names=("$@")
  ((${#names[@]})) || mapfile -t names < <(lab_recipes)
  rm -rf "$stage"
  mkdir -p "$stage"
  for name in "${names[@]}"; do
    tags=$(recipe_var "$name" TAGS)
    [[ -n $tags ]] || continue
    local cfg layers="[]" id
    cfg="$(sha256sum "$(config_file "$name")" | cut -c1-64).json"
    ln -sf "$(config_file "$name")" "$stage/$cfg"
    chain=""
    for layer in $(recipe_chain "$name"); do
      id=$(<"$(layer_file "$layer").diffid")
      chain+="${chain:+,}sha256:$id"
      mkdir -p "$stage/$id"
      if [[ -n ${SKIP_CHAINS:-} ]] && grep -qxF "$chain" <<<"$SKIP_CHAINS"; then
        [[ -e $stage/$id/layer.tar ]] || : >"$stage/$id/layer.tar"
      else
        ln -sf "$(layer_file "$layer")" "$stage/$id/layer.tar"
      fi
      layers=$(jq -c --arg l "$id/layer.tar" '. + [$l]' <<<"$layers")
    done
    manifest=$(jq -c --arg c "$cfg" --argjson l "$layers" --arg t "$tags" \
      '. + [{Config: $c, RepoTags: ($t | split(" ")), Layers: $l}]' <<<"$manifest")
  done
  printf '%s' "$manifest" >"$stage/manifest.json"
}

# Every layer chain prefix present in SERVER's engine, one "diffid,diffid,..." per line.
server_layer_chains() {
  local ids
  ids=$(server_docker "$1" images -aq | sort -u)
  [[ -n $ids ]] || return 0
  # shellcheck disable=SC2086
  server_docker "$1" image inspect --format '{{json .RootFS.Layers}}' $ids |
    jq -r '. as $l | range(1; length + 1) | $l[0:.] | join(",")' | sort -u
}

# Recipes whose image is missing from SERVER's engine or has another ID than the cache's.
missing_server_images() {
  local server=$1 tag id name present
  # One engine call for all tags ("tag id" per line; tags the engine lacks are just absent).
  present=$(server_docker "$server" image ls --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2>/dev/null || true)
  while read -r tag id name; do
    grep -qxF "$tag $id" <<<"$present" || echo "$name"
  done < <(lab_image_list) | sort -u
}

# Makes sure every lab image is in SERVER's engine with the expected ID. A disk copied from the
# prepared disk already has them; a kept disk may lack new or changed images: load just those.
ensure_server_images() {
  local server=$1 missing stage
  mapfile -t missing < <(missing_server_images "$server")
  ((${#missing[@]})) || return 0
  log "$server: loading images: ${missing[*]}"
  stage="$LAB_STATE/tmp/stage-$server"
  SKIP_CHAINS=$(server_layer_chains "$server") stage_image_archive "$stage" "${missing[@]}"
  if ! tar -C "$stage" -ch . | server_docker "$server" load -q >/dev/null; then
    log "$server: loading with known layers skipped failed; sending every layer"
    stage_image_archive "$stage" "${missing[@]}"
    tar -C "$stage" -ch . | server_docker "$server" load -q >/dev/null || die "$server: docker load failed"
  fi
  rm -rf "$stage"
  mapfile -t missing < <(missing_server_images "$server")
  ((${#missing[@]} == 0)) || die "$server: images still missing or different after load: ${missing[*]}"
}

