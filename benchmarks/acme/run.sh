#!/usr/bin/env bash
# ACME throughput: complete orders (order -> authorization -> http-01 -> finalize -> download) per second
# against `swift-ca serve` with a P-256 CA, validated against a local http-01 responder.
# Prints: acme orders: N in T s = R orders/s, server CPU C ms/order, order latency p50/p99 (W workers)
#
# Then the same load against pebble (pebble.sh), unless PEER=0.
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), ORDERS (2000), WORKERS (4),
#      PORT (18600; the responder uses PORT+1), DRIVER (the compiled driver, default
#      <repo>/.build/release/swift-ca-acme-load; `python` runs driver.py with PYTHON, default
#      <repo>/.venv-judges/bin/python, which has cryptography), KEEP (0; 1 keeps the work directory).
# The server speaks plain HTTP here: TLS costs the same for every CA and would measure the TLS stack.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
PYTHON="${PYTHON:-$ROOT/.venv-judges/bin/python}"
# The compiled driver (swift build -c release --product swift-ca-acme-load); DRIVER=python uses driver.py.
DRIVER="${DRIVER:-$ROOT/.build/release/swift-ca-acme-load}"
ORDERS="${ORDERS:-2000}"
WORKERS="${WORKERS:-4}"
PORT="${PORT:-18600}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/acme-bench.XXXXXX")"

for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done
export CA_DIR="$WORK/ca"
SERVER=""
drive() {
    if [[ "$DRIVER" == python ]]; then "$PYTHON" "$HERE/driver.py" "$@"; else "$DRIVER" "$@"; fi
}
cleanup() {
    [[ -n "$SERVER" ]] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    if [[ "${KEEP:-0}" == 1 ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

"$SWIFT_CA" init-ca "Bench Root" "CN=Bench Root" --key-type EC --path-length 1 >/dev/null
SERIAL="$("$SWIFT_CA" init-ca "Bench ACME" "CN=Bench ACME" --key-type EC --parent "Bench Root" --acme-enable | tr -d ':')"

# Every worker orders through one account: the per-account order limit (300 an hour by default) is lifted.
export CA_ACME_HTTP01_PORT=$((PORT + 1)) CA_ACME_STATIC_HOSTS="*.bench.test=127.0.0.1" CA_ACME_ALLOW_PRIVATE_ADDRESSES=true
export CA_ACME_MAX_NEW_ORDERS_PER_HOUR=100000000
"$SWIFT_CA" serve --port "$PORT" --log-level warning >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

drive "http://127.0.0.1:$PORT/ca/acme/directory/$SERIAL/" "$ORDERS" "$WORKERS" $((PORT + 1)) "$SERVER"
ISSUED="$("$SWIFT_CA" list-certs | grep -c bench.test || true)"
echo "certificates stored: $ISSUED"
# The peer, with the same driver, orders and workers, right after (PEER=0 skips it).
if [[ "${PEER:-1}" == 1 ]]; then
    echo "pebble (PEBBLE_VA_ALWAYS_VALID=1, in memory):"
    ORDERS="$ORDERS" WORKERS="$WORKERS" PYTHON="$PYTHON" DRIVER="$DRIVER" "$HERE/pebble.sh"
fi
