#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages the real node needs and that this machine lacks: at run time
# iptables, ipset, nftables (nft), conntrack and iproute2 (ip); to build runc (cgo + libseccomp) and pause
# (static C), libseccomp-dev, gcc and libc6-dev; busybox-static, the shell tools of the MCP server images. A package whose probe passes is left alone, so a machine
# that has them all costs nothing; `apt-get update` runs once, only when something must be installed.
# Called by controlplane/build-binaries.sh before the node's components. Needs root only to install.
# Usage: host-packages.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { printf '[host-packages %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# package → how to tell it is there: a command, or a file (a path starting with /).
probes=(
  "iptables iptables"
  "ipset ipset"
  "nftables nft"
  "conntrack conntrack"
  "iproute2 ip"
  "libseccomp-dev /usr/include/seccomp.h"
  "gcc gcc"
  "libc6-dev /usr/include/stdio.h"
  "busybox-static /bin/busybox"
)

present() { # package probe
  if dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; then return 0; fi
  if [[ "$2" == /* ]]; then [[ -e "$2" ]]; else command -v "$2" >/dev/null 2>&1; fi
}

missing=()
for p in "${probes[@]}"; do
  read -r pkg probe <<<"$p"
  present "$pkg" "$probe" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all present: iptables ipset nftables conntrack iproute2 libseccomp-dev gcc libc6-dev busybox-static"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "missing Debian packages: ${missing[*]}; installing them needs root:"
  log "  sudo apt-get install -y --no-install-recommends ${missing[*]}   (or run this script as root)"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "missing packages: ${missing[*]}; this machine has no apt-get: install them with its package manager"
  exit 1
fi
start=$SECONDS
log "missing: ${missing[*]}; apt-get update"
apt-get update -qq
log "apt-get install ${missing[*]}"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
log "installed ${missing[*]} in $((SECONDS - start))s"
