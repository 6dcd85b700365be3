#!/usr/bin/env bash
# REST API (issue 6): sign-through-API throughput and certificate list page latency.
#
#   sign   A P-256 root with --api-enable, an operator and its token, `swift-ca serve` (release build);
#          wrk POSTs /api/ca/<SERIAL>/sign/ (one CSR, profile webserver, subject and SAN) with C concurrent
#          connections for DURATION each, after WARMUP; every certificate is committed (SQLite
#          synchronous=FULL, PostgreSQL with fsync on) before its 201. Prints requests/s, p50/p99 latency,
#          non-201 answers, and checks that the database holds one certificate per 201.
#   list   LIST_SIZE certificates (`swift-ca benchmark --list-size`, signed in bulk) behind the API; wall
#          time of GET /api/ca/<SERIAL>/certs/ as curl measures it (first page of 100, the page after a
#          cursor halfway through, a search every row matches, a search no row matches (a scan), a status
#          and profile filter), best and median of RUNS.
#
#          KEYS ("file") and KEY_TYPES ("EC") choose the CA keys: file (the key directory) and/or hsm (a SoftHSM2
#          token in the work directory, CA_KEY_BACKENDS alias hsm); EC is P-256, RSA is RSA-2048. Each pair gets
#          its own CA behind the same server, measured one after the other.
#
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), PARTS ("sign list"),
#      CONNECTIONS ("8 32 64"), THREADS (2), DURATION (10s), WARMUP (3s), LIST_SIZE (100000), RUNS (11),
#      PORT (18710), DATABASE (sqlite | postgres: a scripts/postgres-test-server cluster on PG_PORT 18750).
# Needs: wrk, openssl, curl, sqlite3 (or psql for DATABASE=postgres); softhsm2 for KEYS=hsm.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
PARTS="${PARTS:-sign list}"
CONNECTIONS="${CONNECTIONS:-8 32 64}"
THREADS="${THREADS:-2}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
LIST_SIZE="${LIST_SIZE:-100000}"
RUNS="${RUNS:-11}"
PORT="${PORT:-18710}"
DATABASE="${DATABASE:-sqlite}"
KEYS="${KEYS:-file}"
KEY_TYPES="${KEY_TYPES:-EC}"
PG_PORT="${PG_PORT:-18750}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/api-bench.XXXXXX")"
chmod 755 "$WORK"

for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done
export CA_PASSWORD_HASH_COST=4

SERVER=""
PG_STARTED=0
cleanup() {
    if [[ -n "$SERVER" ]]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    if [[ "$PG_STARTED" == 1 ]]; then "$ROOT/scripts/postgres-test-server" stop "$WORK/pg" >/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A fresh database for one part: SQLite in CA_DIR, or a new PostgreSQL database.
fresh_database() {
    local name="$1"
    export CA_DIR="$WORK/$name"
    mkdir -p "$CA_DIR"
    if [[ "$DATABASE" == postgres ]]; then
        if [[ "$PG_STARTED" == 0 ]]; then
            "$ROOT/scripts/postgres-test-server" start "$WORK/pg" "$PG_PORT" >/dev/null
            PG_STARTED=1
        fi
        psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "CREATE DATABASE $name" postgres
        export CA_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$name"
    fi
}

start_server() {
    "$SWIFT_CA" serve --port "$PORT" > "$WORK/serve.out" 2> "$WORK/serve.err" &
    SERVER=$!
    for _ in $(seq 1 100); do
        grep -q "serving on" "$WORK/serve.out" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "the server did not start: $(cat "$WORK/serve.err")" >&2
    exit 1
}

stop_server() {
    kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
}

count_certificates() {
    "$SWIFT_CA" list-certs --expired --revoked | wc -l
}

if [[ " $PARTS " == *" sign "* ]]; then
    fresh_database sign
    if [[ " $KEYS " == *" hsm "* ]]; then
        mkdir -p "$WORK/tokens"
        printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK/tokens" > "$WORK/softhsm2.conf"
        export SOFTHSM2_CONF="$WORK/softhsm2.conf"
        softhsm2-util --init-token --free --label bench-token --pin 1234 --so-pin 5678 > /dev/null
        printf '{"CA_KEY_BACKENDS": {"hsm": {"BACKEND": "hsm", "OPTIONS": {"library_path": "%s", "token": "bench-token", "user_pin": "1234"}}}}' \
            "${SOFTHSM_LIBRARY:-/usr/lib/softhsm/libsofthsm2.so}" > "$WORK/settings.json"
        export SWIFT_CA_SETTINGS="$WORK/settings.json"
    fi
    "$SWIFT_CA" create-user bench --password "bench password" --role operator > /dev/null
    TOKEN="$("$SWIFT_CA" create-token bench)"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/req.csr" \
        -subj "/CN=ignored" 2> /dev/null
    python3 -c 'import json, sys; print(json.dumps({"csr": open(sys.argv[1]).read(), "profile": "webserver",
        "subject": "CN=bench.example.com,O=Bench", "extensions": {"subject_alternative_name": {"value": ["DNS:bench.example.com"]}}}))' \
        "$WORK/req.csr" > "$WORK/body.json"
    declare -A SERIALS
    for keys in $KEYS; do
        for type in $KEY_TYPES; do
            options=(--key-type "$type")
            [[ "$type" == RSA ]] && options+=(--key-size 2048)
            [[ "$keys" == hsm ]] && options+=(--key-backend hsm --hsm-key-label "bench-$type")
            "$SWIFT_CA" init-ca "Bench $keys $type" "CN=Bench API Root $keys $type" "${options[@]}" --api-enable > /dev/null
            SERIALS["$keys $type"]="$("$SWIFT_CA" view-ca "Bench $keys $type" --output-format serial | tr -d ':')"
        done
    done
    start_server
    for keys in $KEYS; do
        for type in $KEY_TYPES; do
            URL="http://127.0.0.1:$PORT/api/ca/${SERIALS["$keys $type"]}/sign/"
            echo "sign through the API, $type CA key in $keys, $DATABASE, $THREADS wrk threads, $DURATION per run"
            for connections in $CONNECTIONS; do
                wrk -t "$THREADS" -c "$connections" -d "$WARMUP" -s "$HERE/sign.lua" "$URL" -- "$WORK/body.json" "$TOKEN" > /dev/null
                before="$(count_certificates)"
                result="$(wrk -t "$THREADS" -c "$connections" -d "$DURATION" -s "$HERE/sign.lua" "$URL" -- "$WORK/body.json" "$TOKEN" | grep RESULT)"
                sleep 1
                after="$(count_certificates)"
                echo "connections=$connections $result stored=$((after - before))"
            done
        done
    done
    stop_server
fi

if [[ " $PARTS " == *" list "* ]]; then
    fresh_database list
    "$SWIFT_CA" benchmark --ec-count 1000 --rsa-count 100 --list-size "$LIST_SIZE" --directory "$CA_DIR" > "$WORK/fill.txt"
    "$SWIFT_CA" edit-ca "Bench EC" --api-enable > /dev/null
    SERIAL="$("$SWIFT_CA" view-ca "Bench EC" --output-format serial | tr -d ':')"
    "$SWIFT_CA" create-user bench --password "bench password" --role viewer > /dev/null
    TOKEN="$("$SWIFT_CA" create-token bench)"
    start_server
    BASE="http://127.0.0.1:$PORT/api/ca/$SERIAL/certs/"
    # A cursor halfway through the CA's default listing (not expired, not revoked, not autogenerated).
    MIDDLE="SELECT not_after || '-' || serial FROM certificates WHERE authority_serial = '$SERIAL' AND revoked_at IS NULL
        AND autogenerated = 0 ORDER BY not_after, serial LIMIT 1 OFFSET $((LIST_SIZE / 2))"
    if [[ "$DATABASE" == postgres ]]; then
        CURSOR="$(psql "$CA_DATABASE_URL" -tA -c "$MIDDLE")"
    else
        CURSOR="$(sqlite3 "$CA_DIR/swift-ca.sqlite3" "$MIDDLE")"
    fi
    echo "certificate list page latency over $(count_certificates) certificates, $DATABASE, best/median of $RUNS (ms)"
    for query in "?limit=100" "?limit=100&after=$CURSOR" "?search=bench&limit=100" "?search=nomatch.example&limit=100" "?status=valid&profile=webserver&limit=100"; do
        times="$(for _ in $(seq 1 "$RUNS"); do
            curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$BASE$query"
        done | sort -n)"
        best="$(echo "$times" | head -n 1)"
        median="$(echo "$times" | sed -n "$(( (RUNS + 1) / 2 ))p")"
        count="$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE$query" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
        printf '%-60s %3s rows  best %6.1f  median %6.1f\n' "$query" "$count" "$(echo "$best * 1000" | bc -l)" "$(echo "$median * 1000" | bc -l)"
    done
    stop_server
fi
