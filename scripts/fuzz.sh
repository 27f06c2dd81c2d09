#!/usr/bin/env bash
# Fuzzes the API from its own /openapi.json with schemathesis (every check): starts `npm run
# start:api` on a free port with a fresh database, logs in as the configured admin and runs
# schemathesis with that operator token. Exits non-zero on any failure.
#
#   bash scripts/fuzz.sh                      # FUZZ_MAX_EXAMPLES=20 per operation
#   FUZZ_ARGS="--include-path-regex ^/v1/plans" bash scripts/fuzz.sh
#
# schemathesis comes from PyPI into a venv under .cache/ (SCHEMATHESIS=path to use another).
# scripts/fuzz/schemathesis.toml and scripts/fuzz/hooks.py hold what the schema cannot say (docs/api-contract.md).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.cache/fuzz-venv
st=${SCHEMATHESIS:-$venv/bin/schemathesis}
if [ ! -x "$st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'schemathesis>=4.32,<5'
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
password='Correct-Horse-Battery-Staple-8142'
log="$dir/server.log"
PORT=$port DATABASE_URL="file:$dir/app.db" DATA_DIR="$dir" LOG_SILENT=1 \
  JWT_SECRET=fuzz-secret-that-is-long-enough-0123456789 \
  ADMIN_EMAIL=operator@fuzz.example ADMIN_PASSWORD="$password" \
  RATE_LIMIT_PER_MINUTE=0 RATE_LIMIT_LOGIN_PER_MINUTE=0 RATE_LIMIT_SIGNUP_PER_MINUTE=0 RATE_LIMIT_PASSWORD_RESET_PER_MINUTE=0 RATE_LIMIT_EMAILED_CODE_PER_MINUTE=0 \
  setsid npm run --silent start:api >"$log" 2>&1 &
server=$!
cleanup() { kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the API did not start"; exit 1; }
  sleep 0.5
done
token=$(curl -fsS -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"operator@fuzz.example\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# The operator the run acts as: hooks.py keeps the fuzzer from disabling it or changing its
# password (either ends the token every later request uses).
FUZZ_OPERATOR_ID=$(curl -fsS "$base/v1/auth/me" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["operator"]["id"])')
export FUZZ_OPERATOR_ID

# shellcheck disable=SC2086
# Logout is left out: it would end the token every later request uses.
SCHEMATHESIS_HOOKS=hooks PYTHONPATH=scripts/fuzz \
  "$st" --config-file scripts/fuzz/schemathesis.toml run "$base/openapi.json" --checks all \
  -H "Authorization: Bearer $token" --exclude-path /v1/auth/logout \
  --max-examples "${FUZZ_MAX_EXAMPLES:-20}" --seed "${FUZZ_SEED:-1}" \
  --report junit --report-dir "${FUZZ_REPORT_DIR:-.cache/fuzz-report}" \
  ${FUZZ_ARGS:-}
