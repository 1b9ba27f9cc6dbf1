#!/usr/bin/env bash
# Builds the tools that verify infra/k8s without a real cluster, from Go modules only:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes v1.35.4)
#   etcd                                                              (go.etcd.io/etcd/server/v3 etcdmain)
#   kubeconform (schema check)
# in one `go build` of the module in ./module, so each shared package (client-go, apimachinery, …)
# compiles once for all six; its go.mod and go.sum pin every version, so nothing is resolved at
# build time and every download is checked against go.sum. Then, each with its own module's
# dependencies (they do not compile against the Kubernetes 1.35 libraries above):
#   kwok (simulated nodes), kube-score (lint)                         (`go install <pkg>@<version>`)
# The binaries land in .local/k8s-tools/<hash of module, versions and toolchain>/bin, so a second run
# is a no-op; GOPATH, the module cache and the build cache live under .local/go (K8S_TOOLS_LOCAL
# moves all of it elsewhere, e.g. to measure a cold build). Go itself: the machine's `go` when it is
# new enough, else the toolchain module golang.org/toolchain from the Go module proxy, into .local.
# Prints the bin directory on stdout; progress, cache hit or miss and timings go to stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
MODULE="$ROOT/infra/k8s/tools/module"
LOCAL="${K8S_TOOLS_LOCAL:-$ROOT/.local}"
GO_MIN=1.26              # kwok v0.8.0 needs go 1.26 (module/go.mod: 1.25)
GO_FALLBACK=1.26.8       # the toolchain fetched when the machine has no Go at least GO_MIN
TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kubeconform kwok kube-score)
PACKAGES=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl ./cmd/etcd
  github.com/yannh/kubeconform/cmd/kubeconform)
INSTALLS=(sigs.k8s.io/kwok/cmd/kwok@v0.8.0 github.com/zegl/kube-score/cmd/kube-score@v1.20.0)
KUBERNETES_VERSION=v1.35.4 # stamped into the Kubernetes binaries (`kubectl version`, /version)

say() { printf 'k8s-tools: %s\n' "$*" >&2; }

# Go: `go` on PATH (or /usr/local/go) when it is at least GO_MIN, else the official toolchain as
# the Go module proxy serves it (the same archive `GOTOOLCHAIN` downloads), kept in .local.
go_ok() { "$1" version 2>/dev/null | awk -v min="$GO_MIN" '{ v = $3; sub(/^go/, "", v); split(v, a, "."); split(min, b, "."); exit !(a[1] > b[1] || (a[1] == b[1] && a[2] + 0 >= b[2] + 0)) }'; }
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if ! go_ok "$GO"; then
  toolchain="$LOCAL/go-toolchain/go$GO_FALLBACK"
  GO="$toolchain/bin/go"
  if ! go_ok "$GO"; then
    say "no Go $GO_MIN or newer; fetching go$GO_FALLBACK (golang.org/toolchain from the Go module proxy)"
    proxy="${GOPROXY:-https://proxy.golang.org}"
    proxy="${proxy%%,*}"
    zip="$LOCAL/go-toolchain/go$GO_FALLBACK.zip"
    mkdir -p "$LOCAL/go-toolchain"
    curl -fsSL --retry 3 -o "$zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$GO_FALLBACK.linux-amd64.zip"
    rm -rf "$toolchain" "$LOCAL/go-toolchain/unpack"
    unzip -q "$zip" -d "$LOCAL/go-toolchain/unpack"
    mv "$LOCAL/go-toolchain/unpack/golang.org/toolchain@v0.0.1-go$GO_FALLBACK.linux-amd64" "$toolchain"
    rm -rf "$zip" "$LOCAL/go-toolchain/unpack"
    chmod +x "$toolchain"/bin/* "$toolchain"/pkg/tool/*/*
  fi
fi

export GOPATH="$LOCAL/go"
export GOMODCACHE="$GOPATH/pkg/mod"
export GOCACHE="$GOPATH/cache"
# go.mod and go.sum are committed: the build never edits them and fails if they disagree.
export GOFLAGS="-mod=readonly -modcacherw -buildvcs=false"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

# The cache key: the module's files, the toolchain and the flags below.
ldflags="-s -w"
for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=35 -X $v.gitTreeState=clean"
done
KEY="$({ cat "$MODULE/go.mod" "$MODULE/go.sum" "$MODULE/tools.go" "$MODULE/cmd/etcd/main.go"
  "$GO" version; echo "$ldflags ${INSTALLS[*]}"; } | sha256sum | cut -c1-16)"
BIN="$LOCAL/k8s-tools/$KEY/bin"

have_all() { for t in "${TOOLS[@]}"; do [ -x "$BIN/$t" ] || return 1; done; }
if have_all; then
  say "cache hit: ${TOOLS[*]} in ${BIN#"$ROOT"/}"
  echo "$BIN"
  exit 0
fi

say "cache miss: building ${TOOLS[*]} ($("$GO" version | cut -d' ' -f3), $(nproc) cores; 10–30 minutes when cold)"
mkdir -p "$BIN"
cd "$MODULE"
start=$(date +%s)
# Downloads only the modules that the six binaries import (go list resolves their packages).
"$GO" list -deps "${PACKAGES[@]}" >/dev/null
downloaded=$(date +%s)
say "modules downloaded in $((downloaded - start)) s"
"$GO" build -trimpath -ldflags "$ldflags" -o "$BIN/" "${PACKAGES[@]}" >&2
built=$(date +%s)
say "${PACKAGES[*]##*/} built in $((built - downloaded)) s; installing ${INSTALLS[*]}"
for pkg in "${INSTALLS[@]}"; do
  GOBIN="$BIN" GOFLAGS="-modcacherw -buildvcs=false" "$GO" install -trimpath -ldflags "-s -w" "$pkg" >&2
done
installed=$(date +%s)
have_all || { say "missing tools in $BIN"; exit 1; }
# Builds of older keys are of no further use.
for old in "$LOCAL"/k8s-tools/*; do
  if [ "$old" != "$LOCAL/k8s-tools/$KEY" ]; then rm -rf "$old"; fi
done
say "built in $((installed - start)) s (download $((downloaded - start)) s, one build $((built - downloaded)) s, kwok and kube-score $((installed - built)) s) into ${BIN#"$ROOT"/}"
echo "$BIN"
