#!/usr/bin/env bash
# Builds the tools that verify infra/k8s without a real cluster, from Go modules only:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes)
#   etcd                                                              (go.etcd.io/etcd/server/v3 etcdmain)
#   kwok (simulated nodes), kubeconform (schema check), kube-score (lint)
# Everything lands in .local/k8s-tools/<versions>/bin, keyed by the pinned versions below, so a second
# run is a no-op; GOPATH, the module cache and the build cache live under .local/go so a fresh clone is
# self-contained. Prints the bin directory on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/infra/k8s/tools"

KUBERNETES_VERSION=v1.35.4   # k8s.io/kubernetes; the staging modules are pinned to the matching v0.35.4
STAGING_VERSION=v0.35.4
ETCD_VERSION=v3.6.5          # the etcd server that k8s.io/kubernetes v1.35.4 itself requires
KWOK_VERSION=v0.8.0
KUBECONFORM_VERSION=v0.7.0
KUBE_SCORE_VERSION=v1.20.0

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
export GOPATH="$ROOT/.local/go"
export GOMODCACHE="$GOPATH/pkg/mod"
export GOCACHE="$GOPATH/cache"
export GOFLAGS="-modcacherw -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

KEY="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_kubeconform-${KUBECONFORM_VERSION}_kube-score-${KUBE_SCORE_VERSION}"
OUT="$ROOT/.local/k8s-tools/$KEY"
BIN="$OUT/bin"
TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kubeconform kube-score)

have_all() { for t in "${TOOLS[@]}"; do [ -x "$BIN/$t" ] || return 1; done; }
if have_all; then echo "$BIN"; exit 0; fi

say() { printf 'k8s-tools: %s\n' "$*" >&2; }
mkdir -p "$BIN"
start=$(date +%s)

# The wrapper module: k8s.io/kubernetes replaces its staging modules with ./staging paths, which a
# dependent module cannot see, so every k8s.io/* staging module is pinned to its published release.
MOD="$OUT/module"
mkdir -p "$MOD/cmd/etcd"
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
  csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
  kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
  pod-security-admission sample-apiserver sample-cli-plugin sample-controller)
{
  echo "module switchboard.local/k8s-tools"
  echo
  echo "go 1.25.0"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes $KUBERNETES_VERSION"
  echo "	go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  echo ")"
  echo
  echo "replace ("
  for s in "${staging[@]}"; do echo "	k8s.io/$s => k8s.io/$s $STAGING_VERSION"; done
  echo ")"
} >"$MOD/go.mod"
cp "$HERE/etcd-main.go.txt" "$MOD/cmd/etcd/main.go"
cat >"$MOD/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO

cd "$MOD"
say "resolving modules (k8s.io/kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION)"
"$GO" mod tidy -e >&2
v="k8s.io/component-base/version"
ldflags="-s -w -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=35 -X $v.gitTreeState=clean"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=35"
say "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd (several minutes when cold)"
"$GO" build -trimpath -ldflags "$ldflags" -o "$BIN/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl ./cmd/etcd >&2

say "installing kwok $KWOK_VERSION, kubeconform $KUBECONFORM_VERSION, kube-score $KUBE_SCORE_VERSION"
GOBIN="$BIN" "$GO" install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
GOBIN="$BIN" "$GO" install -trimpath -ldflags "-s -w" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" >&2
GOBIN="$BIN" "$GO" install -trimpath -ldflags "-s -w -X main.version=$KUBE_SCORE_VERSION" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" >&2

have_all || { say "missing tools in $BIN"; exit 1; }
# The binaries are kept, keyed by version; the build cache (several GB) is of no further use.
"$GO" clean -cache >&2
say "built in $(($(date +%s) - start)) s into $BIN"
echo "$BIN"
