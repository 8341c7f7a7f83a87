# Lab domains and TLS, so a certificate is really issued inside the lab:
# - a DNS for the lab's domains (Debian's dnsmasq) on the host's lab address, where every
#   server's resolver already points: `<server>.gantry-lab.test` and every name under it resolve
#   to that server; any other name under gantry-lab.test is answered "no such name" at once;
# - on prod, Pebble (Debian's test ACME CA, image gantry-lab/pebble:2) as container `lab-pebble`
#   and a plain Caddy (gantry-lab/caddy:2) as container `lab-caddy`, both on prod's host network:
#   Caddy serves 80 and 443 on prod's address, its admin API on prod's loopback (2019), and gets
#   certificates from Pebble over HTTP-01 (TLS-ALPN is switched off). Pebble resolves through
#   the lab DNS. Pebble makes a new root at every start: tests fetch it from
#   `https://<prod>:15000/roots/0` (management API, TLS by the image's own CA in the lab-acme volume).
# Idempotent: a running DNS or proxy whose configuration is unchanged is left alone.

LAB_DOMAIN="${GANTRY_LAB_DOMAIN:-gantry-lab.test}"
LAB_PROXY_SERVER=prod
server_domain() { echo "$1.$LAB_DOMAIN"; }
dns_dir() { echo "$LAB_STATE/dns"; }
dns_running() { kill -0 "$(cat "$(dns_dir)/dnsmasq.pid" 2>/dev/null)" 2>/dev/null; }

dns_config() {
  local s
  printf '%s\n' bind-interfaces "listen-address=$LAB_HOST_ADDRESS" port=53 no-resolv no-hosts \
    user=root group=root "pid-file=$(dns_dir)/dnsmasq.pid" "log-facility=$(dns_dir)/dns.log" log-queries \
    "local=/$LAB_DOMAIN/"
  for s in "${LAB_SERVERS[@]}"; do echo "address=/$(server_domain "$s")/$(server_ip "$s")"; done
}

start_lab_dns() {
  local dir conf
  dir=$(dns_dir)
  mkdir -p "$dir"
  conf="$dir/dnsmasq.conf"
  if dns_running && [[ -f $conf ]] && [[ "$(dns_config)" == "$(<"$conf")" ]]; then return 0; fi
  stop_lab_dns
  dns_config >"$conf"
  setsid $DAEMON_ENV dnsmasq --conf-file="$conf" </dev/null >>"$dir/dns.log" 2>&1 8>&- 9>&- ||
    { tail -5 "$dir/dns.log" >&2; die "the lab DNS did not start (log: $dir/dns.log)"; }
  wait_for 5 "lab DNS" dns_running || die "the lab DNS did not start (log: $dir/dns.log)"
}

stop_lab_dns() {
  local pid
  pid=$(cat "$(dns_dir)/dnsmasq.pid" 2>/dev/null || true)
  if [[ -n $pid ]] && grep -q dnsmasq "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait_for 5 "lab DNS to stop" test ! -d "/proc/$pid" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$(dns_dir)/dnsmasq.pid"
}

# Caddy's JSON config: two servers (80, 443) without routes (Gantry adds them through the admin
# API) and one ACME issuer, Pebble, trusted through the CA Pebble's own TLS certificate is from.
prod_caddy_config() {
  jq -cn --arg email "ops@$LAB_DOMAIN" '{
    admin: {listen: "localhost:2019"},
    apps: {
      http: {servers: {https: {listen: [":443"], routes: []}, http: {listen: [":80"], routes: []}}},
      tls: {automation: {policies: [{issuers: [{module: "acme", ca: "https://127.0.0.1:14000/dir",
        trusted_roots_pem_files: ["/etc/pebble/ca.pem"], email: $email,
        challenges: {"tls-alpn": {disabled: true}}}]}]}}
    }}'
}

proxy_container_config() { server_docker "$LAB_PROXY_SERVER" inspect --format '{{index .Config.Labels "gantry-lab.config"}} {{.State.Running}}' "$1" 2>/dev/null || true; }

# start_proxy_container NAME CONFIG-HASH [docker create args...]: (re)creates NAME when its recipe
# changed, starts it when it is stopped.
start_proxy_container() {
  local name=$1 hash=$2 state
  shift 2
  state=$(proxy_container_config "$name")
  [[ $state == "$hash true" ]] && return 1
  if [[ $state == "$hash false" ]]; then server_docker "$LAB_PROXY_SERVER" start "$name" >/dev/null; return 0; fi
  server_docker "$LAB_PROXY_SERVER" rm -f "$name" >/dev/null 2>&1 || true
  server_docker "$LAB_PROXY_SERVER" create --name "$name" --label "gantry-lab.config=$hash" --network host \
    --restart unless-stopped "$@" >/dev/null || die "$LAB_PROXY_SERVER: could not create $name"
  if [[ $name == lab-caddy ]]; then
    mkdir -p "$LAB_STATE/tmp"
    prod_caddy_config >"$LAB_STATE/tmp/caddy.json"
    server_docker "$LAB_PROXY_SERVER" cp "$LAB_STATE/tmp/caddy.json" "$name:/etc/caddy/caddy.json" || die "$LAB_PROXY_SERVER: could not write Caddy's config"
  fi
  server_docker "$LAB_PROXY_SERVER" start "$name" >/dev/null || die "$LAB_PROXY_SERVER: $name did not start"
  return 0
}

start_prod_proxy() {
  local s=$LAB_PROXY_SERVER ip pebble_hash caddy_hash
  ip=$(server_ip "$s")
  server_docker "$s" volume create lab-acme >/dev/null
  # The hashes cover the images too: a rebuilt image recreates its container (else it keeps running
  # the old, now untagged image, and the probe no longer recognises it by name).
  pebble_hash=$(printf '%s\n' "pebble-1" "$LAB_HOST_ADDRESS" "$(recipe_hash pebble)" | sha256sum | cut -c1-16)
  caddy_hash=$(printf '%s\n' "caddy-1" "$(prod_caddy_config)" "$(recipe_hash caddy)" | sha256sum | cut -c1-16)
  if start_proxy_container lab-pebble "$pebble_hash" -e PEBBLE_VA_NOSLEEP=1 -e PEBBLE_WFE_NONCEREJECT=0 \
    -v lab-acme:/etc/pebble gantry-lab/pebble:2 pebble -config /etc/pebble/pebble-config.json -dnsserver "$LAB_HOST_ADDRESS:53"; then
    # A new Pebble has a new root: Caddy starts again with empty storage (a tmpfs) and keeps its routes (--resume).
    server_docker "$s" restart lab-caddy >/dev/null 2>&1 || true
  fi
  wait_for 20 "Pebble on $s" port_open "$ip" 14000 || die "$s: Pebble did not start ($(server_docker "$s" logs --tail 5 lab-pebble 2>&1))"
  start_proxy_container lab-caddy "$caddy_hash" --tmpfs /data -v lab-acme:/etc/pebble:ro gantry-lab/caddy:2 \
    caddy run --resume --config /etc/caddy/caddy.json || true
  wait_for 20 "Caddy on $s" port_open "$ip" 443 || die "$s: Caddy did not start ($(server_docker "$s" logs --tail 5 lab-caddy 2>&1))"
}

proxy_running() { [[ $(proxy_container_config lab-pebble) == *" true" && $(proxy_container_config lab-caddy) == *" true" ]] && port_open "$(server_ip "$LAB_PROXY_SERVER")" 443; }

domains_status() {
  local ok=1
  if dns_running; then echo "dns: up at $LAB_HOST_ADDRESS ($(for s in "${LAB_SERVERS[@]}"; do printf '*.%s ' "$(server_domain "$s")"; done))"; else echo "dns: down"; ok=0; fi
  if [[ -n $(server_init_pid "$LAB_PROXY_SERVER") ]] && proxy_running; then echo "proxy: caddy + pebble up on $LAB_PROXY_SERVER (admin API 127.0.0.1:2019, ACME https://127.0.0.1:14000/dir)"; else echo "proxy: down on $LAB_PROXY_SERVER"; ok=0; fi
  ((ok))
}
