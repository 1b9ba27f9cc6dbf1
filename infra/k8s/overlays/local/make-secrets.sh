#!/usr/bin/env bash
# Writes secrets.env beside this script once: random keys for a trial cluster. Never commit it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ -s secrets.env ]; then exit 0; fi
umask 077
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
{
  echo "POSTGRES_PASSWORD=$password"
  echo "DATABASE_URL=postgres://switchboard:$password@switchboard-postgres:5432/switchboard"
  echo "DATA_KEYS=local-$(date -u +%Y%m%d):$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  echo "OPERATOR_API_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
} >secrets.env
echo "wrote $(pwd)/secrets.env" >&2
