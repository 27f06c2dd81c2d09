#!/usr/bin/env bash
# Fuzzes the API from its own /openapi.json with schemathesis (every check): for each seed, starts
# `npm run start:api` on a free port with a fresh database, logs in as the configured admin and
# runs schemathesis with that operator token. Exits non-zero when any seed's run fails.
#
#   bash scripts/fuzz.sh                      # seed 1 (FUZZ_SEED), FUZZ_MAX_EXAMPLES=20 per operation
#   FUZZ_SEED=20261207 bash scripts/fuzz.sh   # replay one seed, as a failing run printed it
#   FUZZ_SEEDS="1 20261207 4242" bash scripts/fuzz.sh   # several seeds, one fresh server each
#   FUZZ_ARGS="--include-path-regex ^/v1/plans" bash scripts/fuzz.sh
#
# The first seed runs every phase; later seeds of FUZZ_SEEDS run only the phases the seed steers
# (fuzzing, stateful), since the coverage phase sends the same boundary cases whatever the seed.
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

password='Correct-Horse-Battery-Staple-8142'
server=""
dir=""
stop_server() {
  if [ -n "$server" ]; then kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$dir" ]; then rm -rf "$dir"; fi
  server=""; dir=""
}
trap stop_server EXIT

# Runs schemathesis once with seed $1 against a fresh server; extra schemathesis options follow.
fuzz_seed() {
  local seed=$1; shift
  local port log base token
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dir=$(mktemp -d)
  log="$dir/server.log"
  PORT=$port DATABASE_URL="file:$dir/app.db" DATA_DIR="$dir" LOG_SILENT=1 \
    JWT_SECRET=fuzz-secret-that-is-long-enough-0123456789 \
    ADMIN_EMAIL=operator@fuzz.example ADMIN_PASSWORD="$password" \
    RATE_LIMIT_PER_MINUTE=0 RATE_LIMIT_LOGIN_PER_MINUTE=0 RATE_LIMIT_SIGNUP_PER_MINUTE=0 RATE_LIMIT_PASSWORD_RESET_PER_MINUTE=0 RATE_LIMIT_EMAILED_CODE_PER_MINUTE=0 \
    setsid npm run --silent start:api >"$log" 2>&1 &
  server=$!

  base="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the API did not start"; return 1; }
    sleep 0.5
  done
  token=$(curl -fsS -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"operator@fuzz.example\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') || { cat "$log"; echo "could not log in"; return 1; }

  # The operator the run acts as: hooks.py keeps the fuzzer from disabling it or changing its
  # password (either ends the token every later request uses).
  FUZZ_OPERATOR_ID=$(curl -fsS "$base/v1/auth/me" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["operator"]["id"])') || return 1
  export FUZZ_OPERATOR_ID

  # A meter the run's charges and meter-backed entitlements price (hooks.py points them at it):
  # which meters exist is data the server holds, not something a schema can say.
  curl -fsS -X POST "$base/v1/meters" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"code":"fuzz_calls","name":"Fuzz calls","aggregation":"sum","value_property":"calls","group_by":["region"]}' >/dev/null || { cat "$log"; echo "could not create the fuzz meter"; return 1; }

  echo "fuzz: seed $seed (replay alone: FUZZ_SEED=$seed bash scripts/fuzz.sh)"
  local status=0
  # shellcheck disable=SC2086
  # Logout is left out: it would end the token every later request uses.
  SCHEMATHESIS_HOOKS=hooks PYTHONPATH=scripts/fuzz \
    "$st" --config-file scripts/fuzz/schemathesis.toml run "$base/openapi.json" --checks all \
    -H "Authorization: Bearer $token" --exclude-path /v1/auth/logout \
    --max-examples "${FUZZ_MAX_EXAMPLES:-20}" --seed "$seed" \
    --report junit --report-dir "${FUZZ_REPORT_DIR:-.cache/fuzz-report}/seed-$seed" \
    "$@" ${FUZZ_ARGS:-} || status=$?
  stop_server
  return "$status"
}

failed=""
first=1
for seed in ${FUZZ_SEEDS:-${FUZZ_SEED:-1}}; do
  if [ "$first" -eq 1 ]; then
    fuzz_seed "$seed" || failed="$failed $seed"
    first=0
  else
    fuzz_seed "$seed" --phases fuzzing,stateful || failed="$failed $seed"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz: failed with seed(s)$failed; replay one with FUZZ_SEED=<seed> bash scripts/fuzz.sh"
  exit 1
fi
