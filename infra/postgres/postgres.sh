#!/usr/bin/env bash
# The local PostgreSQL server: start|stop|status|url (see postgres.mjs beside this file).
# Puts Node 24 on PATH first, and lets one start run at a time.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=SCRIPTDIR/../../scripts/node-env.sh
. "$ROOT/scripts/node-env.sh"

if [ "${1:-}" = start ] && command -v flock >/dev/null 2>&1; then
  lock_dir="${SWITCHBOARD_LOCAL_DIR:-$ROOT/.local}/postgres"
  mkdir -p "$lock_dir"
  exec 9>"$lock_dir/start.lock"
  flock 9
  # fd 9 stays with this shell: the server must not inherit the lock.
  node "$HERE/postgres.mjs" "$@" 9>&-
else
  exec node "$HERE/postgres.mjs" "$@"
fi
