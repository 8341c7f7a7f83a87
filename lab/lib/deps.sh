# `lab.sh deps`: the Debian packages the lab needs, installed with apt-get only when missing.

LAB_DEB_PACKAGES=(
  docker.io containerd tini openssh-server openssh-client debootstrap iproute2 util-linux
  e2fsprogs mount attr jq curl openssl procps cron docker-registry dnsmasq-base
)

lab_deps() {
  local missing=() pkg
  for pkg in "${LAB_DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "all lab packages are installed"
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "installing ${missing[*]} needs root"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # policy-rc.d keeps the packages from starting the host's own sshd/dockerd on install.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || { ((created_policy)) && rm -f "$policy"; die "apt-get install failed"; }
  ((created_policy)) && rm -f "$policy"
  return 0
}
