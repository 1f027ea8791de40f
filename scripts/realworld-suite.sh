#!/usr/bin/env bash
# Run the official RealWorld API suite (tests/realworld/hurl, 154 requests) against Inkwell.
#
# Starts `inkwell serve` on a free loopback port with its own database (an embedded PostgreSQL
# in a temporary folder, or INKWELL_DATABASE_URL when the caller gives one), waits until it is
# ready, runs the suite twice against the same database (each run with its own `uid`, from which
# the suite makes its user names), prints Hurl's summaries, stops the server, and exits non-zero
# when any request failed. The suite registers ~25 users within seconds and uses the password
# `password123`, so rate limits and the common-password list are off for this server only.
#
# Usage: scripts/realworld-suite.sh   (HURL=path/to/hurl to use another hurl)
set -euo pipefail
cd "$(dirname "$0")/.."

hurl=${HURL:-.tools/hurl/bin/hurl}
python=.venv/bin/python
suite=tests/realworld/hurl
runs=2

work=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server"
    wait "$server" || true
  fi
  # The embedded PostgreSQL stops with the server; make sure of it before its folder goes.
  if [ -f "$work/data/postgres/postmaster.pid" ]; then
    kill "$(head -n 1 "$work/data/postgres/postmaster.pid")" 2>/dev/null || true
    sleep 1
  fi
  rm -rf "$work"
}
trap stop_server EXIT

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

database="an embedded PostgreSQL"
if [ -n "${INKWELL_DATABASE_URL:-}" ]; then
  database="the database of INKWELL_DATABASE_URL"
fi
echo "RealWorld suite: starting inkwell on $base with $database"
env INKWELL_ENV=development INKWELL_HOST=127.0.0.1 INKWELL_PORT="$port" INKWELL_WORKERS=1 \
  INKWELL_DATA_DIR="$work/data" INKWELL_ACCESS_LOG=false \
  INKWELL_RATE_LIMIT_ENABLED=false INKWELL_PASSWORD_REJECT_COMMON=false \
  .venv/bin/inkwell serve >"$work/server.log" 2>&1 &
server=$!

"$python" - "$base/health/ready" "$server" <<'PY' || { tail -n 40 "$work/server.log"; exit 1; }
import os, sys, time, urllib.request

url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("the server exited before it was ready")
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit("the server was not ready within 120 s")
PY

failed=0
for run in $(seq 1 "$runs"); do
  uid="$(date +%s)$$r$run"
  echo "== RealWorld suite, run $run of $runs (uid $uid)"
  if ! "$hurl" --test --jobs 1 --variable "host=$base" --variable "uid=$uid" "$suite"/*.hurl; then
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "RealWorld suite: requests failed; the server's last log lines:"
  tail -n 40 "$work/server.log"
  exit 1
fi
echo "RealWorld suite: every request passed in each of $runs runs"
