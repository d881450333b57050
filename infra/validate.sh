#!/usr/bin/env bash
# Validates infra/compose.yaml against the Compose schema without a Docker engine:
# `docker compose config -q` when the Compose v2 plugin is present, otherwise the standalone
# `docker-compose` (Debian's 1.29 package, installed here through apt when missing and possible).
# Exits non-zero when the file is invalid; exits 0 with a message when no validator can be had.
set -euo pipefail
cd "$(dirname "$0")"

# Placeholder secrets: the file requires them (it refuses to start without real ones), but
# validation only interpolates them. Real values in infra/.env are never read here.
export EVENTSTORE_ADMIN_PASSWORD=validate-only EVENTSTORE_OPS_PASSWORD=validate-only \
  LEDGER_ESDB_PASSWORD=validate-only
empty_env_file=$(mktemp)
trap 'rm -f "$empty_env_file"' EXIT
no_env_file=(--env-file "$empty_env_file")

if docker compose version >/dev/null 2>&1; then
  validator=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  validator=(docker-compose)
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "infra/validate.sh: skipped, no Compose validator and no apt-get to install docker-compose" >&2
    exit 0
  fi
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "infra/validate.sh: skipped, installing docker-compose needs root (or passwordless sudo)" >&2
    exit 0
  fi
  echo "infra/validate.sh: installing docker-compose (Debian package) to validate compose.yaml" >&2
  install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose)
  if ! "${install[@]}" >/dev/null; then
    "${sudo[@]}" apt-get update -qq >/dev/null || true
    if ! "${install[@]}" >/dev/null; then
      echo "infra/validate.sh: skipped, apt-get could not install docker-compose" >&2
      exit 0
    fi
  fi
  validator=(docker-compose)
fi

"${validator[@]}" "${no_env_file[@]}" -f compose.yaml config -q
echo "infra/compose.yaml is valid ($("${validator[@]}" version --short 2>/dev/null || echo "${validator[*]}"))"
