# `lab.sh env`: everything tests and people need to reach the servers, as one JSON document.
# Written to $LAB_STATE/env.json by `up`; `env` prints it (rebuilt from the state folder).

lab_ssh_config() {
  local s user k
  k=$(keys_dir)
  for s in "${LAB_SERVERS[@]}"; do
    for user in root deploy; do
      local alias="gantry-$s"
      [[ $user == deploy ]] && alias="gantry-$s-deploy"
      cat <<CONFIG
Host $alias
  HostName $(server_ip "$s")
  Port 22
  User $user
  IdentityFile $k/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $LAB_STATE/known_hosts
  StrictHostKeyChecking yes
  HostKeyAlias gantry-$s

CONFIG
    done
  done
}

env_json() {
  local k servers="{}" s images
  k=$(keys_dir)
  [[ -f $k/id_ed25519 ]] || die "no lab state in $LAB_STATE (run: bash lab/lab.sh up)"
  images=$(for name in "${LAB_RECIPES[@]}"; do printf "%s\n" ${R_TAGS[$name]}; done | jq -R . | jq -sc .)
  for s in "${LAB_SERVERS[@]}"; do
    local running=false
    [[ -n $(server_init_pid "$s") ]] && running=true
    servers=$(jq -c --arg name "$s" --arg host "$(server_ip "$s")" \
      --arg fp "$(host_fingerprint "$s")" --arg pub "$(host_public_key "$s")" \
      --arg pw "$(<"$LAB_STATE/deploy-password")" --arg sock "$(server_socket "$s")" \
      --arg dir "$(server_dir "$s")" --argjson images "$images" --argjson running "$running" \
      --arg alias "gantry-$s" --arg ns "$(server_ns "$s")" \
      '. + {($name): {name: $name, host: $host, port: 22, sshAlias: $alias, running: $running,
          hostKey: {fingerprint: $fp, publicKey: $pub},
          users: {root: {username: "root", home: "/root"},
                  deploy: {username: "deploy", home: "/home/deploy", password: $pw, groups: ["deploy", "docker"]}},
          dockerSocket: $sock, dockerHost: ("unix://" + $sock), dockerDataRoot: "/var/lib/docker",
          netns: $ns, stateDir: $dir, images: $images}}' <<<"$servers")
  done
  jq -n --arg subnet "$LAB_SUBNET" --arg hostAddress "$LAB_HOST_ADDRESS" --arg iface "$LAB_HOST_IFACE" \
    --arg state "$LAB_STATE" --arg cache "$LAB_CACHE" --arg kh "$LAB_STATE/known_hosts" \
    --arg plain "$k/id_ed25519" --arg pp "$k/id_ed25519_passphrase" --arg ppw "$(<"$k/passphrase")" \
    --arg rsa "$k/id_rsa" --arg unauth "$k/id_ed25519_unauthorized" --arg peer "$k/peer_ed25519" \
    --arg sshConfig "$(lab_ssh_config)" --argjson servers "$servers" --arg lab "$LAB_DIR/lab.sh" \
    --arg registry "$(lab_registry)" --arg domain "$LAB_DOMAIN" --arg proxyServer "$LAB_PROXY_SERVER" \
    --arg proxyIp "$(server_ip "$LAB_PROXY_SERVER")" \
    '{version: 1, subnet: $subnet, hostAddress: $hostAddress, hostInterface: $iface,
      stateDir: $state, cacheDir: $cache, labScript: $lab, knownHostsFile: $kh,
      keys: {plain: $plain, passphrase: {path: $pp, passphrase: $ppw}, rsa: $rsa,
             unauthorized: $unauth, serverToServer: $peer},
      servers: $servers, sshConfig: $sshConfig, registry: $registry,
      domains: {base: $domain, dns: $hostAddress,
                servers: ($servers | with_entries(.value = (.key + "." + $domain))),
                proxy: {server: $proxyServer, kind: "caddy-admin", container: "lab-caddy", adminApi: "http://127.0.0.1:2019",
                        acmeDirectory: "https://127.0.0.1:14000/dir", pebbleRoots: ("https://" + $proxyIp + ":15000/roots/0")}}}'
}

write_env_json() {
  (umask 077; env_json >"$LAB_STATE/env.json.new")
  mv "$LAB_STATE/env.json.new" "$LAB_STATE/env.json"
}

lab_env() { env_json; }
