#!/usr/bin/env bash
# Ends a local control plane when the process that owns it dies without stopping it (SIGKILL, a crashed
# test run): polls the owner once a second; when it is gone, and the state folder still exists, it
# SIGTERMs every process group listed in <state>/pids, SIGKILLs them after 5 s, and removes the folder
# unless it is a kept one. A cluster with a real node (<state>/node) gets its host cleaned by
# realnode/teardown.sh first. Exits quietly when the folder disappears (a normal stop).
owner="$1" state="$2"
while kill -0 "$owner" 2>/dev/null; do
  [[ -d "$state" ]] || exit 0
  sleep 1
done
[[ -f "$state/pids" ]] || exit 0
mapfile -t pids < <(cut -d' ' -f1 "$state/pids")
for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
for _ in $(seq 1 50); do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [[ $alive == 0 ]] && break
  sleep 0.1
done
for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
[[ -d "$state/node" ]] && bash "$(dirname "$0")/../realnode/teardown.sh" "$state"
[[ -f "$state/keep" ]] || rm -rf "$state"
