#!/usr/bin/env bash
# The same ACME load against pebble (Let's Encrypt's reference ACME server, Debian's package), which keeps
# everything in memory and, with PEBBLE_VA_ALWAYS_VALID=1, validates nothing: the peer swift-ca must beat.
# Prints the driver's line for pebble. Env: ORDERS (2000), WORKERS (4), PORT (18620), PYTHON.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv-judges/bin/python}"
# The compiled driver (swift build -c release --product swift-ca-acme-load); DRIVER=python uses driver.py.
DRIVER="${DRIVER:-$ROOT/.build/release/swift-ca-acme-load}"
ORDERS="${ORDERS:-2000}"
WORKERS="${WORKERS:-4}"
PORT="${PORT:-18620}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pebble-bench.XXXXXX")"
SERVER=""
drive() {
    if [[ "$DRIVER" == python ]]; then "$PYTHON" "$HERE/driver.py" "$@"; else "$DRIVER" "$@"; fi
}
cleanup() {
    [[ -n "$SERVER" ]] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
cat > "$WORK/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$PORT", "managementListenAddress": "127.0.0.1:$((PORT + 2))",
  "certificate": "$WORK/cert.pem", "privateKey": "$WORK/key.pem", "httpPort": $((PORT + 1)), "tlsPort": $((PORT + 3)),
  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
# Every validation passes at once, no nonce is refused at random, no authorization is reused.
PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
    pebble -config "$WORK/pebble.json" >"$WORK/pebble.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -skf "https://127.0.0.1:$PORT/dir" >/dev/null && break; sleep 0.1; done
drive "https://127.0.0.1:$PORT/dir" "$ORDERS" "$WORKERS" $((PORT + 1)) "$SERVER"
