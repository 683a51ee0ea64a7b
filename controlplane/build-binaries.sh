#!/usr/bin/env bash
# Builds the local control plane's binaries from the Go module proxy, at the versions in versions.env,
# into $MCP_OPERATOR_CACHE/bin/<component>-<version>/ (default: <repo>/.cache). A component whose
# binaries are all present is skipped, so a warm run costs nothing. The real node's components (realnode/)
# build here too; before them, realnode/host-packages.sh installs the Debian packages the node needs
# (runc's libseccomp-dev and pause's gcc among them) when some are missing.
# Usage: build-binaries.sh [component...]   (default: all)
#   control plane: etcd kubernetes kwok helm cert-manager; redis (the proxy's shared state, Debian's);
#                  otelcol (the OpenTelemetry Collector the telemetry tests send to);
#                  gateway-api (the Gateway API's standard CRDs, data for the exposure tests);
#                  traefik (a Gateway API implementation in pure Go: the exposure tests' real Gateway);
#                  toolhive (ToolHive's thv-operator and thv-proxyrunner, bench/toolhive.ts's peer)
#   real node:     containerd runc cni-plugins coredns metrics-server kube-router pause
#                  node = kubernetes (kubelet, kube-proxy) and every real-node component
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
# shellcheck disable=SC1091
source "$here/versions.env"
cache="${MCP_OPERATOR_CACHE:-$repo/.cache}"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf '[build-binaries %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Runs a long command, printing a heartbeat every 30s so a cold build never looks hung.
with_progress() {
  local label="$1"; shift
  local start=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && log "$label: still building ($((SECONDS - start))s)"
  done
  wait "$pid" || { log "$label: FAILED after $((SECONDS - start))s"; return 1; }
  log "$label: done in $((SECONDS - start))s"
}

need() { # dir binary...: true when any binary is missing
  local dir="$1"; shift
  for b in "$@"; do [[ -x "$dir/$b" ]] || return 0; done
  return 1
}

build_etcd() {
  local out="$cache/bin/etcd-$ETCD_VERSION"
  need "$out" etcd || { log "etcd $ETCD_VERSION: cached"; return; }
  log "etcd $ETCD_VERSION: building (about 2 minutes cold)"
  mkdir -p "$out.tmp"
  (cd "$here/go/etcd" && with_progress "etcd" go build -trimpath \
    -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
    -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

build_kubernetes() {
  local out="$cache/bin/kubernetes-$KUBERNETES_VERSION"
  local bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)
  need "$out" "${bins[@]}" || { log "kubernetes $KUBERNETES_VERSION: cached"; return; }
  log "kubernetes $KUBERNETES_VERSION: building ${bins[*]} (10-25 minutes cold on 2 cores)"
  local v="$KUBERNETES_VERSION" major minor ldf="-s -w"
  major="$(echo "$v" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$v" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  # Stamp the version as release builds do; an unstamped server reports v0.0.0-master, which Helm refuses.
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf="$ldf -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ldf="$ldf -X $p.gitCommit=release-$v -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  mkdir -p "$out.tmp"
  local pkgs=()
  for b in "${bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  (cd "$here/go/kubernetes" && with_progress "kubernetes" go build -trimpath -ldflags "$ldf" -o "$out.tmp/" "${pkgs[@]}")
  rm -rf "$out" && mv "$out.tmp" "$out"
}

build_kwok() {
  local out="$cache/bin/kwok-$KWOK_VERSION"
  need "$out" kwok stages.yaml || { log "kwok $KWOK_VERSION: cached"; return; }
  log "kwok $KWOK_VERSION: building (about 3 minutes cold)"
  mkdir -p "$out.tmp"
  (cd "$here/go/kwok" && with_progress "kwok" go build -trimpath -ldflags "-s -w" -o "$out.tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)
  # The kwok binary carries no stages; kwokctl injects these defaults from the module's kustomize dir.
  local dir
  dir="$(cd "$here/go/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  {
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
             pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      echo "---"; cat "$dir/kustomize/stage/$f"
    done
  } > "$out.tmp/stages.yaml"
  chmod +x "$out.tmp/stages.yaml" # marks it present for need(); it is data, not a program
  rm -rf "$out" && mv "$out.tmp" "$out"
}

build_helm() {
  local out="$cache/bin/helm-$HELM_VERSION"
  need "$out" helm || { log "helm $HELM_VERSION: cached"; return; }
  log "helm $HELM_VERSION: building (about 3 minutes cold)"
  mkdir -p "$out.tmp"
  (cd "$here/go/helm" && with_progress "helm" go build -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" -o "$out.tmp/helm" helm.sh/helm/v3/cmd/helm)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# cert-manager's controller and cainjector, and its CRDs as plain YAML. Since v1.12 their main packages
# live in nested modules the proxy cannot serve, so CERT_MANAGER_VERSION stays on v1.11.x (see versions.env).
build_cert-manager() {
  local out="$cache/bin/cert-manager-$CERT_MANAGER_VERSION"
  need "$out" controller cainjector crds.yaml || { log "cert-manager $CERT_MANAGER_VERSION: cached"; return; }
  log "cert-manager $CERT_MANAGER_VERSION: building controller and cainjector (about 8 minutes cold on 2 cores)"
  local ldf="-s -w -X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$CERT_MANAGER_VERSION"
  mkdir -p "$out.tmp"
  (cd "$here/go/cert-manager" && with_progress "cert-manager" go build -trimpath -ldflags "$ldf" -o "$out.tmp/" \
    github.com/cert-manager/cert-manager/cmd/controller github.com/cert-manager/cert-manager/cmd/cainjector)
  # v1.11 ships its CRDs only as Helm templates whose sole templated part is the labels; put the labels a
  # chart install named "cert-manager" would get, and refuse any other template syntax rather than guess.
  local dir
  dir="$(cd "$here/go/cert-manager" && go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  local f
  for f in "$dir"/deploy/crds/crd-*.yaml; do
    echo "---"
    sed -e "s/'{{ template \"cert-manager.name\" . }}'/cert-manager/" -e "s/'{{ .Release.Name }}'/cert-manager/" \
      -e "s/^\(\s*\)# Generated labels {{- include \"labels\" . | nindent 4 }}$/\1app.kubernetes.io\/version: $CERT_MANAGER_VERSION/" "$f"
  done > "$out.tmp/crds.yaml"
  if grep -n '{{' "$out.tmp/crds.yaml" >&2; then log "cert-manager: unrendered template syntax in the CRDs"; return 1; fi
  chmod +x "$out.tmp/crds.yaml" # marks it present for need(); it is data, not a program
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# The real node's container runtime: containerd, its CLI ctr and the runc shim. Static (no cgo), without
# the btrfs/devmapper/zfs snapshotters the node does not use (overlayfs only).
build_containerd() {
  local out="$cache/bin/containerd-$CONTAINERD_VERSION"
  local bins=(containerd ctr containerd-shim-runc-v2)
  need "$out" "${bins[@]}" || { log "containerd $CONTAINERD_VERSION: cached"; return; }
  log "containerd $CONTAINERD_VERSION: building ${bins[*]} (4-11 minutes cold on 2 cores)"
  local pkgs=()
  for b in "${bins[@]}"; do pkgs+=("github.com/containerd/containerd/v2/cmd/$b"); done
  mkdir -p "$out.tmp"
  (cd "$here/go/containerd" && with_progress "containerd" go build -trimpath -tags "no_btrfs no_devmapper no_zfs" \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" -o "$out.tmp/" "${pkgs[@]}")
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# runc needs cgo, and libseccomp (Debian libseccomp-dev) for seccomp profiles; its version comes from
# the VERSION file it embeds. Not the libpathrs tag of upstream releases (a Rust library Debian 12 lacks).
build_runc() {
  local out="$cache/bin/runc-$RUNC_VERSION"
  need "$out" runc || { log "runc $RUNC_VERSION: cached"; return; }
  log "runc $RUNC_VERSION: building (1-2 minutes cold)"
  mkdir -p "$out.tmp"
  (cd "$here/go/runc" && CGO_ENABLED=1 with_progress "runc" go build -trimpath -tags "seccomp urfave_cli_no_docs" \
    -ldflags "-s -w" -o "$out.tmp/runc" github.com/opencontainers/runc)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# The CNI plugins the node's network uses, in one folder: containerd's CNI bin_dir.
build_cni-plugins() {
  local out="$cache/bin/cni-plugins-$CNI_PLUGINS_VERSION"
  local pkgs=(main/bridge main/loopback ipam/host-local meta/portmap)
  need "$out" "${pkgs[@]##*/}" || { log "cni-plugins $CNI_PLUGINS_VERSION: cached"; return; }
  log "cni-plugins $CNI_PLUGINS_VERSION: building ${pkgs[*]##*/} (under a minute cold)"
  local ldf="-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
  mkdir -p "$out.tmp"
  (cd "$here/go/cni-plugins" && with_progress "cni-plugins" go build -trimpath -ldflags "$ldf" -o "$out.tmp/" \
    "${pkgs[@]/#/github.com/containernetworking/plugins/plugins/}")
  rm -rf "$out" && mv "$out.tmp" "$out"
}

build_coredns() {
  local out="$cache/bin/coredns-$COREDNS_VERSION"
  need "$out" coredns || { log "coredns $COREDNS_VERSION: cached"; return; }
  log "coredns $COREDNS_VERSION: building (about 8 minutes cold on 2 cores)"
  mkdir -p "$out.tmp"
  (cd "$here/go/coredns" && with_progress "coredns" go build -trimpath \
    -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=release-$COREDNS_VERSION" \
    -o "$out.tmp/coredns" github.com/coredns/coredns)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# metrics-server stamps client-go's version package, as its own Makefile does.
build_metrics-server() {
  local out="$cache/bin/metrics-server-$METRICS_SERVER_VERSION"
  need "$out" metrics-server || { log "metrics-server $METRICS_SERVER_VERSION: cached"; return; }
  log "metrics-server $METRICS_SERVER_VERSION: building (about 5 minutes cold on 2 cores)"
  local p=k8s.io/client-go/pkg/version
  local ldf="-s -w -X $p.gitVersion=$METRICS_SERVER_VERSION -X $p.gitCommit=release-$METRICS_SERVER_VERSION"
  ldf="$ldf -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  mkdir -p "$out.tmp"
  (cd "$here/go/metrics-server" && with_progress "metrics-server" go build -trimpath -ldflags "$ldf" \
    -o "$out.tmp/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# kube-router runs on the node only as its NetworkPolicy enforcer (see versions.env).
build_kube-router() {
  local out="$cache/bin/kube-router-$KUBE_ROUTER_VERSION"
  need "$out" kube-router || { log "kube-router $KUBE_ROUTER_VERSION: cached"; return; }
  log "kube-router $KUBE_ROUTER_VERSION: building (about 4 minutes cold)"
  local p=github.com/cloudnativelabs/kube-router/v2/pkg/version
  mkdir -p "$out.tmp"
  (cd "$here/go/kube-router" && with_progress "kube-router" go build -trimpath \
    -ldflags "-s -w -X $p.Version=$KUBE_ROUTER_VERSION -X $p.BuildDate=1970-01-01T00:00:00Z" \
    -o "$out.tmp/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# The pod sandbox's process: upstream's pause.c from k8s.io/kubernetes at KUBERNETES_VERSION, compiled
# statically as build/pause/Makefile does (its TAG, then the Kubernetes version, as VERSION).
build_pause() {
  local out="$cache/bin/pause-$KUBERNETES_VERSION"
  need "$out" pause || { log "pause $KUBERNETES_VERSION: cached"; return; }
  log "pause $KUBERNETES_VERSION: building from k8s.io/kubernetes build/pause/linux/pause.c"
  local dir tag start=$SECONDS
  dir="$(cd "$here/go/kubernetes" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  tag="$(sed -n 's/^TAG ?= *\([0-9.]*\)$/\1/p' "$dir/build/pause/Makefile")"
  [[ -n "$tag" ]] || { log "pause: no TAG in $dir/build/pause/Makefile"; return 1; }
  mkdir -p "$out.tmp"
  gcc -Os -Wall -Werror -static -DVERSION="v$tag-$KUBERNETES_VERSION" -o "$out.tmp/pause" "$dir/build/pause/linux/pause.c"
  strip "$out.tmp/pause"
  rm -rf "$out" && mv "$out.tmp" "$out"
  log "pause: done in $((SECONDS - start))s"
}

# The OpenTelemetry Collector for the telemetry tests: controlplane/go/otelcol/main.go, the core otlp
# receiver, batch processor and debug exporter plus contrib's file exporter (what the tests read back).
build_otelcol() {
  local out="$cache/bin/otelcol-$OTELCOL_VERSION"
  need "$out" otelcol || { log "otelcol $OTELCOL_VERSION: cached"; return; }
  log "otelcol $OTELCOL_VERSION: building (about 1.5 minutes cold on 2 cores)"
  mkdir -p "$out.tmp"
  (cd "$here/go/otelcol" && with_progress "otelcol" go build -trimpath \
    -ldflags "-s -w -X main.version=$OTELCOL_VERSION" -o "$out.tmp/otelcol" .)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# The Gateway API's standard-channel CRDs (HTTPRoute, Gateway, GatewayClass, ...) from the
# sigs.k8s.io/gateway-api module on the Go module proxy, concatenated into one file the exposure tests
# install. Nothing is compiled. The channel's ValidatingAdmissionPolicy (vap_safeupgrades) is left out.
build_gateway-api() {
  local out="$cache/bin/gateway-api-$GATEWAY_API_VERSION"
  [[ -s "$out/standard-crds.yaml" ]] && { log "gateway-api $GATEWAY_API_VERSION: cached"; return; }
  log "gateway-api $GATEWAY_API_VERSION: downloading the module's CRDs"
  local dir tmp
  tmp="$(mktemp -d)"
  dir="$(cd "$tmp" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  rmdir "$tmp"
  [[ -d "$dir/config/crd/standard" ]] || { log "gateway-api: no config/crd/standard in $dir"; return 1; }
  mkdir -p "$out.tmp"
  local f
  for f in "$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml; do
    [[ "$f" == *_vap_* ]] && continue
    echo "---"; cat "$f"
  done > "$out.tmp/standard-crds.yaml"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# Traefik, the Gateway that test/integration/exposure-traefik.test.ts routes through: pure Go (Envoy-based
# Gateways need a C++ Envoy no module proxy serves). controlplane/go/traefik pins it with its own replace
# directives (a module's replaces do not apply to those who require it). v3.6: v3.7 requires a nested
# module (traefik/dynamic/ext) the proxy does not serve.
build_traefik() {
  local out="$cache/bin/traefik-$TRAEFIK_VERSION"
  need "$out" traefik || { log "traefik $TRAEFIK_VERSION: cached"; return; }
  log "traefik $TRAEFIK_VERSION: building (about 12 minutes cold on 2 cores)"
  mkdir -p "$out.tmp"
  (cd "$here/go/traefik" && with_progress "traefik" go build -trimpath \
    -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$out.tmp/traefik" github.com/traefik/traefik/v3/cmd/traefik)
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# ToolHive's operator and proxy runner (component "toolhive"), the same-run peer of bench/toolhive.ts (issue 18):
# go install of its two commands at TOOLHIVE_VERSION with the toolchain GOTOOLCHAIN=go$TOOLHIVE_GO fetches from
# the Go proxy (about 3 minutes cold on 2 cores). Not part of make test.
build_toolhive() {
  local out="$cache/bin/toolhive-$TOOLHIVE_VERSION"
  need "$out" thv-operator thv-proxyrunner || { log "toolhive $TOOLHIVE_VERSION: cached"; return; }
  log "toolhive $TOOLHIVE_VERSION: building thv-operator thv-proxyrunner with go $TOOLHIVE_GO (about 3 minutes cold on 2 cores)"
  mkdir -p "$out.tmp"
  with_progress "toolhive" env GOTOOLCHAIN="go$TOOLHIVE_GO" GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" \
    "github.com/stacklok/toolhive/cmd/thv-operator@$TOOLHIVE_VERSION" \
    "github.com/stacklok/toolhive/cmd/thv-proxyrunner@$TOOLHIVE_VERSION"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# Redis for the proxy's shared sessions and rate limits (spec.sessionStorage): Debian's redis-tools, whose
# /usr/bin/redis-check-rdb is the redis-server binary (Debian's redis-server package adds only a service that
# would start on :6379 at install). Redis picks its mode from argv[0], so the cache gets a redis-server link.
build_redis() {
  local out="$cache/bin/redis-$REDIS_DEBIAN_VERSION"
  if [[ -x "$out/redis-server" ]] && "$out/redis-server" --version >/dev/null 2>&1; then
    log "redis $REDIS_DEBIAN_VERSION: cached"; return
  fi
  if [[ ! -x /usr/bin/redis-check-rdb ]]; then
    [[ $(id -u) -eq 0 ]] || { log "redis: needs Debian's redis-tools: sudo apt-get install -y redis-tools"; return 1; }
    local start=$SECONDS
    log "redis: apt-get install redis-tools (Debian $REDIS_DEBIAN_VERSION or the archive's newer patch)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-tools >&2
    log "redis: installed in $((SECONDS - start))s"
  fi
  mkdir -p "$out"
  ln -sfn /usr/bin/redis-check-rdb "$out/redis-server"
  "$out/redis-server" --version >&2
}

node_components=(kubernetes containerd runc cni-plugins coredns metrics-server kube-router pause)
requested=("$@")
[[ ${#requested[@]} -eq 0 ]] && requested=(etcd kubernetes kwok helm cert-manager redis otelcol gateway-api node)
components=()
add() { local c; for c in "$@"; do [[ " ${components[*]} " == *" $c "* ]] || components+=("$c"); done; }
for c in "${requested[@]}"; do
  if [[ "$c" == node ]]; then add "${node_components[@]}"; else add "$c"; fi
done
host_checked=
for c in "${components[@]}"; do
  case "$c" in
    etcd|kubernetes|kwok|helm|cert-manager|redis|otelcol|gateway-api|traefik|toolhive) "build_$c" ;;
    containerd|runc|cni-plugins|coredns|metrics-server|kube-router|pause)
      # Once, before the first node component: the packages the node runs with, and runc's and pause's build needs.
      [[ -n "$host_checked" ]] || { bash "$repo/realnode/host-packages.sh"; host_checked=1; }
      "build_$c" ;;
    *) log "unknown component: $c"; exit 2 ;;
  esac
done
