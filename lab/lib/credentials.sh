# Keys, passwords and per-server identity files in the state folder. Generated once and kept
# across down/up (host keys stay fixed, so known_hosts stays valid); `purge` deletes them.

keys_dir() { echo "$LAB_STATE/keys"; }

random_secret() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

ensure_keygen() { # ensure_keygen PATH TYPE PASSPHRASE COMMENT
  [[ -f $1 && -f $1.pub ]] && return 0
  rm -f "$1" "$1.pub"
  local bits=()
  [[ $2 == rsa ]] && bits=(-b 3072)
  ssh-keygen -q -t "$2" "${bits[@]}" -N "$3" -C "$4" -f "$1"
}

ensure_credentials() {
  local k
  k=$(keys_dir)
  install -d -m 700 "$LAB_STATE" "$k" "$LAB_STATE/servers"
  [[ -s $k/passphrase ]] || (umask 077; random_secret >"$k/passphrase")
  [[ -s $LAB_STATE/deploy-password ]] || (umask 077; random_secret >"$LAB_STATE/deploy-password")
  ensure_keygen "$k/id_ed25519" ed25519 "" "gantry-lab plain"
  ensure_keygen "$k/id_ed25519_passphrase" ed25519 "$(<"$k/passphrase")" "gantry-lab passphrase"
  ensure_keygen "$k/id_rsa" rsa "" "gantry-lab rsa"
  ensure_keygen "$k/id_ed25519_unauthorized" ed25519 "" "gantry-lab unauthorized"
  ensure_keygen "$k/peer_ed25519" ed25519 "" "gantry-lab server-to-server"
  local s
  for s in "${LAB_SERVERS[@]}"; do
    install -d -m 700 "$(server_dir "$s")" "$(server_dir "$s")/hostkeys"
    ensure_keygen "$(server_dir "$s")/hostkeys/ssh_host_ed25519_key" ed25519 "" "root@$s"
  done
  write_known_hosts >"$LAB_STATE/known_hosts"
}

host_public_key() { cut -d' ' -f1,2 "$(server_dir "$1")/hostkeys/ssh_host_ed25519_key.pub"; }
host_fingerprint() { ssh-keygen -l -E sha256 -f "$(server_dir "$1")/hostkeys/ssh_host_ed25519_key.pub" | awk '{print $2}'; }

write_known_hosts() {
  local s
  for s in "${LAB_SERVERS[@]}"; do
    echo "$(server_ip "$s"),gantry-$s,$s $(host_public_key "$s")"
  done
}

client_authorized_keys() {
  local k
  k=$(keys_dir)
  cat "$k/id_ed25519.pub" "$k/id_ed25519_passphrase.pub" "$k/id_rsa.pub"
}

# Files that make SERVER look like its own machine: users, hosts, homes, sshd config.
write_server_files() {
  local s=$1 dir etc
  dir=$(server_dir "$s")
  etc=$dir/etc
  install -d -m 755 "$etc" "$dir/etc-docker" "$dir/log"
  install -d -m 700 "$dir/root" "$dir/root/.ssh"
  install -d -m 755 -o "$LAB_DEPLOY_UID" -g "$LAB_DEPLOY_UID" "$dir/home-deploy"
  install -d -m 700 -o "$LAB_DEPLOY_UID" -g "$LAB_DEPLOY_UID" "$dir/home-deploy/.ssh"
  # Each server has its own crontabs (what Gantry installs for scheduled tasks) and an empty
  # system crontab: the host's own cron jobs never run inside a lab server.
  install -d -m 755 "$dir/spool-cron" "$dir/etc-cron.d"
  install -d -m 1730 -g crontab "$dir/spool-cron/crontabs"
  [[ -f $etc/crontab ]] || printf '# lab server %s: no system cron jobs\n' "$s" >"$etc/crontab"

  grep -v -E '^deploy:' /etc/passwd >"$etc/passwd.new"
  echo "deploy:x:$LAB_DEPLOY_UID:$LAB_DEPLOY_UID:Gantry lab deploy user:/home/deploy:/bin/bash" >>"$etc/passwd.new"
  grep -v -E '^(deploy|docker):' /etc/group >"$etc/group.new"
  printf 'deploy:x:%s:\ndocker:x:%s:deploy\n' "$LAB_DEPLOY_UID" "$LAB_DOCKER_GID" >>"$etc/group.new"
  # Only the deploy user has a password; root logs in with keys (and no host hash is copied).
  # Hash once per password (a fresh salt each up would rewrite every server's shadow file).
  local hash
  if [[ ! -s $LAB_STATE/deploy-password.hash || $LAB_STATE/deploy-password -nt $LAB_STATE/deploy-password.hash ]]; then
    (umask 077; openssl passwd -6 -stdin <"$LAB_STATE/deploy-password" >"$LAB_STATE/deploy-password.hash")
  fi
  hash=$(<"$LAB_STATE/deploy-password.hash")
  {
    cut -d: -f1 "$etc/passwd.new" | grep -v '^deploy$' | sed 's/$/:*:19000:0:99999:7:::/'
    echo "deploy:$hash:19000:0:99999:7:::"
  } >"$etc/shadow.new"
  chmod 644 "$etc/passwd.new" "$etc/group.new"
  chmod 640 "$etc/shadow.new"
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost ip6-localhost ip6-loopback"
    echo "$LAB_HOST_ADDRESS gantry-lab-host"
    local peer
    for peer in "${LAB_SERVERS[@]}"; do echo "$(server_ip "$peer") $peer gantry-$peer"; done
  } >"$etc/hosts.new"
  echo "$s" >"$etc/hostname.new"
  # No DNS server is reachable from the lab. Asking the host's lab address fails at once
  # (ICMP port unreachable) instead of timing out for 10 s on the host's real resolver.
  printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$LAB_HOST_ADDRESS" >"$etc/resolv.conf.new"
  local f
  # A running server has these bind-mounted: rewrite in place (same inode), and only on change.
  for f in passwd group shadow hosts hostname resolv.conf; do
    if [[ ! -f $etc/$f ]]; then
      mv "$etc/$f.new" "$etc/$f"
    else
      cmp -s "$etc/$f.new" "$etc/$f" || cat "$etc/$f.new" >"$etc/$f"
      rm -f "$etc/$f.new"
    fi
  done

  client_authorized_keys >"$dir/root/.ssh/authorized_keys"
  cat "$(keys_dir)/peer_ed25519.pub" >>"$dir/root/.ssh/authorized_keys"
  cp "$(keys_dir)/peer_ed25519" "$dir/root/.ssh/id_ed25519"
  cp "$(keys_dir)/peer_ed25519.pub" "$dir/root/.ssh/id_ed25519.pub"
  write_known_hosts >"$dir/root/.ssh/known_hosts"
  cat >"$dir/root/.ssh/config" <<CONFIG
# Server-to-server SSH as root (for direct transfers): ssh dev|uat|prod
Host dev uat prod gantry-dev gantry-uat gantry-prod $(for p in "${LAB_SERVERS[@]}"; do printf '%s ' "$(server_ip "$p")"; done)
  User root
  IdentityFile /root/.ssh/id_ed25519
  StrictHostKeyChecking yes
  UserKnownHostsFile /root/.ssh/known_hosts
CONFIG
  chmod 600 "$dir/root/.ssh/"*
  client_authorized_keys >"$dir/home-deploy/.ssh/authorized_keys"
  chown "$LAB_DEPLOY_UID:$LAB_DEPLOY_UID" "$dir/home-deploy/.ssh/authorized_keys"
  chmod 600 "$dir/home-deploy/.ssh/authorized_keys"

  cat >"$dir/sshd_config" <<CONFIG
# sshd of lab server $s (generated by lab/lab.sh; edits are overwritten on up)
Port 22
ListenAddress 0.0.0.0
HostKey $dir/hostkeys/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel VERBOSE
CONFIG
}
