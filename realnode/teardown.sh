#!/usr/bin/env bash
# Puts the machine back as it was before a real node started: whatever state the node was left in (a
# clean stop, a crashed test run, a SIGKILLed `make run`), and safe to run twice. The node's daemons
# (containerd, kubelet, kube-proxy, kube-router) are process groups in <state>/pids, which the caller
# (cluster stop, the watchdog, `dev down`) ends first; this script ends what they leave behind:
#   - every process in the kubepods cgroups (the containers and sandboxes), and our containerd's shims;
#   - mounts under the node's folders, /run/containerd and /run/netns/cni-* (kubelet, overlayfs, netns);
#   - the bridge, the node IP's veth pair, and so the pods' veths;
#   - nftables tables and ipsets that were not there before (kube-proxy's, kubelet's canaries, the
#     enforcer's, our guard), conntrack entries of the node's block;
#   - the sysctls it changed, the kubepods cgroups, and the host folders kubelet and containerd made.
# Usage: teardown.sh <cluster state dir> [kube-router binary]
set -uo pipefail
state="$1"
kube_router="${2:-}"
node="$state/node"
run_dir=/run/mcp-realnode
supernet=10.250.0.0/16
log() { printf '[realnode-teardown %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

host_state="$node/host-state.env"
NFT_TABLES_BEFORE='' CREATED_PATHS=''
# shellcheck disable=SC1090
[[ -f "$host_state" ]] && source "$host_state"

kubepods_procs() {
  local ctl
  for ctl in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods; do
    [[ -d "$ctl" ]] && find "$ctl" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

# 1. Containers, sandboxes and shims.
# kube-router's own cleanup: its NetworkPolicy part runs first and is the one we need; its service-proxy
# part then panics on this kernel (no IPVS), which is why the exit code is not looked at. Whatever it
# leaves, the table and ipset deletions below remove.
if command -v "$kube_router" >/dev/null 2>&1; then
  out="$(timeout 20 "$kube_router" --cleanup-config 2>&1)"
  [[ "$out" == *"Successfully cleaned the NetworkPolicyController"* ]] ||
    log "kube-router --cleanup-config did not clean its NetworkPolicy rules: ${out:0:300}"
fi
for _ in 1 2 3 4 5; do
  mapfile -t procs < <(kubepods_procs)
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $run_dir/containerd.sock" 2>/dev/null
  [[ ${#procs[@]} -eq 0 ]] && break
  kill -KILL "${procs[@]}" 2>/dev/null
  sleep 0.2
done

# 2. Mounts, innermost first; lazily, so a busy one cannot stop the rest.
mapfile -t mounts < <(awk '{print $2}' /proc/self/mounts |
  grep -E "^(${node}|${run_dir}|/run/containerd|/run/netns/cni-[^/]+|/var/lib/kubelet)(/|$)" | sort -r)
for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || log "could not unmount $m"; done
rm -f /run/netns/cni-* 2>/dev/null

# 3. Links: the bridge (and any veth still on it), the node IP's pair.
for v in $(ip -o link show master mcpbr0 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  ip link del "$v" 2>/dev/null
done
ip link del mcpbr0 2>/dev/null
ip link del mcpnode0 2>/dev/null

# 4. Packet filtering: tables that were not there before, and the enforcer's ipsets.
if command -v nft >/dev/null; then
  while read -r family name; do
    [[ -z "$name" ]] && continue
    if [[ ",$NFT_TABLES_BEFORE," != *",$family $name,"* ]]; then nft delete table "$family" "$name" 2>/dev/null; fi
  done < <(nft list tables 2>/dev/null | sed 's/^table //')
fi
if command -v ipset >/dev/null; then
  for s in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)'); do ipset destroy "$s" 2>/dev/null; done
fi
if command -v conntrack >/dev/null; then
  conntrack -D -s "$supernet" >/dev/null 2>&1
  conntrack -D -d "$supernet" >/dev/null 2>&1
fi

# 5. Sysctls as they were (ours, and the kernel tunables kubelet sets at start).
if [[ -f "$node/sysctls.before" ]]; then
  while read -r name value; do
    [[ -n "$name" && -w "/proc/sys/$name" ]] && echo "$value" >"/proc/sys/$name"
  done <"$node/sysctls.before"
fi

# 6. cgroups (children first) and the folders made outside the node's own.
for ctl in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods; do
  [[ -d "$ctl" ]] && find "$ctl" -depth -type d -exec rmdir {} + 2>/dev/null
done
IFS=',' read -r -a created <<<"$CREATED_PATHS"
for p in "${created[@]}"; do [[ -n "$p" ]] && rm -rf "$p"; done
rm -rf "$run_dir" /run/containerd/s /run/containerd/runc/k8s.io 2>/dev/null
rmdir /run/containerd/runc /run/containerd 2>/dev/null
exit 0
