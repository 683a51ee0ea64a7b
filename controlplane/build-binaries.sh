#!/usr/bin/env bash
# Builds the local control plane's binaries from the Go module proxy, at the versions in versions.env,
# into $MCP_OPERATOR_CACHE/bin/<component>-<version>/ (default: <repo>/.cache). A component whose
# binaries are all present is skipped, so a warm run costs nothing.
# Usage: build-binaries.sh [component...]   components: etcd kubernetes kwok helm cert-manager (default: all)
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

components=("$@")
[[ ${#components[@]} -eq 0 ]] && components=(etcd kubernetes kwok helm cert-manager)
for c in "${components[@]}"; do
  case "$c" in
    etcd|kubernetes|kwok|helm|cert-manager) "build_$c" ;;
    *) log "unknown component: $c"; exit 2 ;;
  esac
done
