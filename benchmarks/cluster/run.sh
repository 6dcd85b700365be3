#!/usr/bin/env bash
# PostgreSQL and several nodes (issue 5): SQLite beside PostgreSQL, one node beside three.
# Starts its own PostgreSQL 15 cluster (scripts/postgres-test-server, fsync on) in a temporary directory
# and stops it at exit. Three parts, each printing summary lines:
#
#   issue   `swift-ca benchmark` once with SQLite (its default) and once with CA_DATABASE_URL pointing at a
#           fresh PostgreSQL database: bulk issuance/s, list-certs, view-cert and one sign-cert.
#   ocsp    P-256 root -> intermediate -> N leaves made with swift-ca commands in PostgreSQL, OCSP keys and
#           pre-signed responses; then under wrk: one node on a copy of the database in SQLite
#           (migrate-db), one node on PostgreSQL, three nodes on PostgreSQL (three wrk processes in
#           parallel, threads and connections split between them, requests/s summed). Cases as in
#           benchmarks/ocsp (same Lua scripts): POST without nonce (answered from the cache of pre-signed
#           responses) and POST with nonce (signed per request). CPU per response: utime+stime from
#           /proc/<pid>/stat of the serve processes and, separately, of the PostgreSQL processes, before
#           and after each timed run, divided by the responses wrk counted.
#   bulk    ROWS certificates in a PostgreSQL database, loaded with SQL from one real certificate
#           (bulk-load.sql, CHUNK rows per transaction), VACUUM ANALYZE, database size; then the wall time
#           of list-certs (first page, a page deep in the listing, one CA's first page) and view-cert
#           (serial, serial prefix, CN) as processes, best and median of RUNS; then EXPLAIN ANALYZE of the
#           SQL those commands run.
#
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), PARTS ("issue ocsp bulk"),
#      EC_COUNT (20000), RSA_COUNT (2000), LIST_SIZE (100000)            -- issue
#      N (200 leaves), THREADS (2), CONNECTIONS (64), DURATION (10s), WARMUP (3s), PORT (18610; nodes use
#      PORT, PORT+1, PORT+2)                                             -- ocsp
#      ROWS (10000000), CHUNK (1000000), RUNS (7)                        -- bulk
#      PG_PORT (18650), PG_PARENT (where the cluster's directory is made; default the work directory),
#      KEEP (0; 1 keeps the work directory and leaves nothing running),
#      REUSE (a work directory kept by KEEP=1 after the bulk part: starts its cluster again and repeats the
#      bulk timings without loading; PARTS defaults to "bulk" then, and the directory is kept).
# Needs: PostgreSQL 15 server binaries and psql, wrk, openssl 3, curl. Run as root or as a user that may
# run PostgreSQL (see scripts/postgres-test-server).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
PARTS_SET="${PARTS:-}"
PARTS="${PARTS:-issue ocsp bulk}"
EC_COUNT="${EC_COUNT:-20000}"
RSA_COUNT="${RSA_COUNT:-2000}"
LIST_SIZE="${LIST_SIZE:-100000}"
N="${N:-200}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
PORT="${PORT:-18610}"
ROWS="${ROWS:-10000000}"
CHUNK="${CHUNK:-1000000}"
RUNS="${RUNS:-7}"
PG_PORT="${PG_PORT:-18650}"
if [[ -n "${REUSE:-}" ]]; then
    WORK="$(realpath "$REUSE")"
    PG_DIR="$(dirname "$(ls -d "$WORK"/pg.*/data "${PG_PARENT:-/nonexistent}"/pg.*/data 2>/dev/null | head -n 1)")"
    [[ -f "$PG_DIR/data/PG_VERSION" ]] || { echo "no PostgreSQL data directory in $WORK" >&2; exit 1; }
    PARTS="${PARTS_SET:-bulk}"
    KEEP=1
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/cluster-bench.XXXXXX")"
    # The cluster runs as the postgres user when this script runs as root: it must reach its directory.
    chmod 755 "$WORK"
    PG_DIR="$(mktemp -d "${PG_PARENT:-$WORK}/pg.XXXXXX")"
    chmod 755 "$PG_DIR"
fi
POSTGRES_SERVER="$ROOT/scripts/postgres-test-server"
CLK_TCK="$(getconf CLK_TCK)"

# Only this run's settings: no CA_* / SWIFT_CA_* overrides from the caller.
for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done

SERVERS=()    # serve pids to stop on exit
PG_STARTED=0
cleanup() {
    local pid
    for pid in "${SERVERS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ "$PG_STARTED" == 1 ]]; then "$POSTGRES_SERVER" stop "$PG_DIR/data" || true; fi
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "work directory kept: $WORK (PostgreSQL data: $PG_DIR/data, stopped)"
    else
        rm -rf "$WORK" "$PG_DIR"
    fi
}
trap cleanup EXIT

log() { echo "# $*" >&2; }
port_free() { ! ss -Htln "sport = :$1" | grep -q .; }
now_ms() { local t="${EPOCHREALTIME/./}"; echo $((t / 1000)); }   # EPOCHREALTIME: seconds.microseconds
load1() { cut -d' ' -f1 /proc/loadavg; }

# ---------------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster, fsync on (scripts/postgres-test-server), loopback only.
port_free "$PG_PORT" || { echo "port $PG_PORT is in use" >&2; exit 1; }
PG_URL="$("$POSTGRES_SERVER" start "$PG_DIR/data" "$PG_PORT")"
PG_STARTED=1
psql_admin() { psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 "$@"; }
# Checkpoints further apart than the default 1 GB of WAL (the bulk load writes many GB); fsync stays on.
psql_admin -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '15min'" \
    -c "SELECT pg_reload_conf()" >/dev/null
log "PostgreSQL $(psql_admin -Atc 'SHOW server_version') at $PG_URL, data in $PG_DIR/data;" \
    "fsync=$(psql_admin -Atc 'SHOW fsync') synchronous_commit=$(psql_admin -Atc 'SHOW synchronous_commit')" \
    "shared_buffers=$(psql_admin -Atc 'SHOW shared_buffers')"
log "$(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM; load $(cut -d' ' -f1-3 /proc/loadavg)"
create_database() { psql_admin -c "CREATE DATABASE $1" >/dev/null; echo "$PG_URL/$1"; }
database_exists() { [[ "$(psql_admin -Atc "SELECT count(*) FROM pg_database WHERE datname = '$1'")" == 1 ]]; }

# CPU time in clock ticks: serve processes (utime+stime), and the PostgreSQL cluster: the postmaster's own
# and reaped children's time plus every live child's (a backend that exits moves into the parent's cutime).
ticks_of() {   # PID...: utime+stime (fields 14 and 15 of /proc/PID/stat; comm can hold spaces, so cut at ")")
    local pid sum=0 fields
    for pid in "$@"; do
        fields="$(sed 's/^.*) //' "/proc/$pid/stat")"
        sum=$((sum + $(awk '{print $12 + $13}' <<<"$fields")))
    done
    echo "$sum"
}
postgres_ticks() {
    local postmaster children own
    postmaster="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    own="$(sed 's/^.*) //' "/proc/$postmaster/stat" | awk '{print $12 + $13 + $14 + $15}')"
    mapfile -t children < <(pgrep -P "$postmaster" || true)
    echo $((own + $(ticks_of "${children[@]}")))
}
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }

# time_command LABEL COMMAND...: RUNS runs as processes (stdout discarded); best and median wall time.
time_command() {
    local label="$1"; shift
    local runs=() k start end
    for ((k = 0; k < RUNS; k++)); do
        start="$(now_ms)"
        "$@" >/dev/null 2>"$WORK/time_command.err" || { echo "$label: $* failed:" >&2; cat "$WORK/time_command.err" >&2; exit 1; }
        end="$(now_ms)"
        runs+=($((end - start)))
    done
    local sorted
    mapfile -t sorted < <(printf '%s\n' "${runs[@]}" | sort -n)
    echo "$label: best ${sorted[0]} ms, median ${sorted[$((RUNS / 2))]} ms of $RUNS runs (${runs[*]} ms)"
}

# ---------------------------------------------------------------------------------------------------
part_issue() {
    log "issue: swift-ca benchmark --ec-count $EC_COUNT --rsa-count $RSA_COUNT --list-size $LIST_SIZE"
    local args=(benchmark --ec-count "$EC_COUNT" --rsa-count "$RSA_COUNT" --list-size "$LIST_SIZE")
    echo "== issue: SQLite (load $(load1))"
    TMPDIR="$WORK" "$SWIFT_CA" "${args[@]}" 2>&1 | sed 's/^/issue sqlite: /'
    local url
    url="$(create_database issue)"
    echo "== issue: PostgreSQL, CA_DATABASE_URL=$url (load $(load1))"
    CA_DATABASE_URL="$url" TMPDIR="$WORK" "$SWIFT_CA" "${args[@]}" 2>&1 | sed 's/^/issue postgres: /'
    echo "issue postgres: certificates in the database afterwards:" \
        "$(psql "$url" -X -Atc 'SELECT count(*) FROM certificates')"
}

# ---------------------------------------------------------------------------------------------------
NODE_PIDS=()
NODE_PORTS=()
# start_node PORT DATABASE-URL: one `swift-ca serve` on 127.0.0.1:PORT sharing CA_DIR.
start_node() {
    local port="$1" url="$2"
    port_free "$port" || { echo "port $port is in use" >&2; exit 1; }
    CA_DATABASE_URL="$url" "$SWIFT_CA" serve --port "$port" --log-level warning >"$WORK/ocsp/node-$port.log" 2>&1 &
    NODE_PIDS+=($!)
    NODE_PORTS+=("$port")
    SERVERS+=($!)
    local k
    for k in $(seq 100); do
        if curl -sf -o /dev/null --data-binary @"$WORK/ocsp/requests/req1.der" \
            -H 'Content-Type: application/ocsp-request' "http://127.0.0.1:$port$OCSP_PATH"; then return 0; fi
        sleep 0.1
    done
    echo "node on port $port does not answer OCSP:" >&2; cat "$WORK/ocsp/node-$port.log" >&2; exit 1
}
stop_nodes() {
    local pid kept=() stopped=" ${NODE_PIDS[*]} "
    for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; done
    for pid in "${SERVERS[@]}"; do [[ "$stopped" == *" $pid "* ]] || kept+=("$pid"); done
    SERVERS=("${kept[@]}")
    NODE_PIDS=()
    NODE_PORTS=()
}

# check_answers PORT: a POST and a POST with nonce for leaf 1 get answers that openssl verifies, that
# echo the nonce and say "good".
check_answers() {
    local port="$1" kind out
    for kind in req nonce; do
        curl -sf --data-binary @"requests/${kind}1.der" -H 'Content-Type: application/ocsp-request' \
            "http://127.0.0.1:$port$OCSP_PATH" -o "answer-$port-$kind.der"
        # Against the request (openssl checks the nonce when it has one), then the status of leaf 1.
        out="$(openssl ocsp -respin "answer-$port-$kind.der" -reqin "requests/${kind}1.der" -CAfile root.pem \
            -verify_other inter.pem 2>&1)" || true
        out+=$'\n'"$(openssl ocsp -respin "answer-$port-$kind.der" -CAfile root.pem -verify_other inter.pem \
            -issuer inter.pem -cert leaves/leaf1.pem -no_nonce 2>&1)" || true
        if [[ "$(grep -c 'Response verify OK' <<<"$out")" != 2 ]] || ! grep -q 'leaf1.pem: good' <<<"$out" ||
            grep -q 'no nonce in response' <<<"$out"; then
            echo "node $port: the $kind answer for leaf 1 is wrong:" >&2; echo "$out" >&2; exit 1
        fi
    done
}

# metric PORT SOURCE: that node's count of OCSP answers from SOURCE (cache, stored, signed, error-...).
metric() {
    curl -sf "http://127.0.0.1:$1/metrics" |
        awk -v s="source=\"$2\"" 'index($0, "swift_ca_ocsp_responses_total{") == 1 && index($0, s) {n += $NF} END {print n + 0}'
}
sources_total() {   # SOURCE: summed over the running nodes
    local port sum=0
    for port in "${NODE_PORTS[@]}"; do sum=$((sum + $(metric "$port" "$1"))); done
    echo "$sum"
}

# ocsp_case LABEL CASE FILE-PREFIX EXPECTED-SOURCE: wrk against every running node at once (threads and
# connections split evenly), warm-up then timed run; summed requests/s and CPU per response.
ocsp_case() {
    local label="$1" case="$2" prefix="$3" expected="$4"
    local nodes=${#NODE_PORTS[@]}
    local threads=$((THREADS / nodes)) connections=$((CONNECTIONS / nodes))
    ((threads >= 1)) || threads=1
    local wrk_args=(-t"$threads" -c"$connections")
    local script_args=("$WORK/ocsp/requests" "$N" "$prefix")
    local port pids=()
    for port in "${NODE_PORTS[@]}"; do
        wrk "${wrk_args[@]}" -d"$WARMUP" -s "$ROOT/benchmarks/ocsp/post.lua" "http://127.0.0.1:$port$OCSP_PATH" \
            -- "${script_args[@]}" >/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    local cache_before signed_before serve_before pg_before machine_before load_before
    cache_before="$(sources_total cache)"; signed_before="$(sources_total signed)"
    load_before="$(load1)"
    serve_before="$(ticks_of "${NODE_PIDS[@]}")"; pg_before="$(postgres_ticks)"; machine_before="$(machine_ticks)"
    pids=()
    for port in "${NODE_PORTS[@]}"; do
        wrk "${wrk_args[@]}" -d"$DURATION" --latency -s "$ROOT/benchmarks/ocsp/post.lua" \
            "http://127.0.0.1:$port$OCSP_PATH" -- "${script_args[@]}" >"wrk-$label-$case-$port.txt" &
        pids+=($!)
    done
    wait "${pids[@]}"
    local serve_after pg_after machine_after
    serve_after="$(ticks_of "${NODE_PIDS[@]}")"; pg_after="$(postgres_ticks)"; machine_after="$(machine_ticks)"
    local rps=0 requests=0 non2xx=0 sockerr=0 p99=0 per_node=()
    local line
    for port in "${NODE_PORTS[@]}"; do
        line="$(grep '^WRK_RESULT' "wrk-$label-$case-$port.txt")" || { cat "wrk-$label-$case-$port.txt" >&2; exit 1; }
        local rps_n p50_ms p99_ms non2xx_n sockerr_n requests_n
        read -r rps_n p50_ms p99_ms non2xx_n sockerr_n requests_n < <(
            sed -E 's/^WRK_RESULT rps=([0-9]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) non2xx=([0-9]+) sockerr=([0-9]+) requests=([0-9]+)$/\1 \2 \3 \4 \5 \6/' <<<"$line")
        rps=$((rps + rps_n)); requests=$((requests + requests_n))
        non2xx=$((non2xx + non2xx_n)); sockerr=$((sockerr + sockerr_n))
        p99="$(awk -v a="$p99" -v b="$p99_ms" 'BEGIN {print (b > a) ? b : a}')"
        per_node+=("$rps_n")
    done
    local served_cache served_signed
    served_cache=$(($(sources_total cache) - cache_before)); served_signed=$(($(sources_total signed) - signed_before))
    local summary
    summary="$(awk -v rps="$rps" -v req="$requests" -v s0="$serve_before" -v s1="$serve_after" -v p0="$pg_before" \
        -v p1="$pg_after" -v m0="$machine_before" -v m1="$machine_after" -v hz="$CLK_TCK" -v cores="$(nproc)" 'BEGIN {
            split(m0, a, " "); split(m1, b, " ")
            printf "serve CPU %.1f us/response, postgres CPU %.1f us/response, machine busy %.0f %% of %d cores",
                (s1 - s0) / hz / req * 1e6, (p1 - p0) / hz / req * 1e6, 100 * (b[1] - a[1]) / (b[2] - a[2]), cores
        }')"
    local split=""
    ((nodes > 1)) && split=" = $(IFS=+; echo "${per_node[*]}")"
    echo "ocsp $label $case: $rps requests/s$split ($nodes x wrk ${wrk_args[*]} -d$DURATION), $requests responses," \
        "p99 $p99 ms (worst node), non-2xx $non2xx, socket errors $sockerr; $summary (load1 $load_before -> $(load1))"
    log "  /metrics over the timed run: cache=$served_cache signed=$served_signed"
    local wanted=$served_cache
    [[ "$expected" == signed ]] && wanted=$served_signed
    ((non2xx == 0 && wanted * 100 >= requests * 95)) || { echo "expected the answers to come from '$expected'" >&2; exit 1; }
}

part_ocsp() {
    mkdir -p "$WORK/ocsp/leaves" "$WORK/ocsp/requests"
    cd "$WORK/ocsp"
    export CA_DIR="$WORK/ocsp/ca"
    local url
    url="$(create_database ocsp)"
    log "ocsp: P-256 root -> intermediate -> $N leaves in $url"
    CA_DATABASE_URL="$url" "$SWIFT_CA" init-ca Root "CN=Bench Root" --key-type EC --path-length 1 >/dev/null
    CA_DATABASE_URL="$url" "$SWIFT_CA" init-ca Inter "CN=Bench Inter" --key-type EC --parent Root >/dev/null
    CA_DATABASE_URL="$url" "$SWIFT_CA" dump-ca Root >root.pem
    CA_DATABASE_URL="$url" "$SWIFT_CA" dump-ca Inter >inter.pem
    local inter
    inter="$(CA_DATABASE_URL="$url" "$SWIFT_CA" list-cas | awk '$3 == "Inter" {gsub(":", "", $1); print $1}')"
    [[ -n "$inter" ]] || { echo "cannot find the serial of CA Inter in list-cas" >&2; exit 1; }
    OCSP_PATH="/ca/ocsp/$inter/cert/"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -subj /CN=bench \
        -out leaf.csr 2>/dev/null
    local k
    for k in $(seq "$N"); do
        CA_DATABASE_URL="$url" "$SWIFT_CA" sign-cert --ca Inter --csr leaf.csr --alt "host$k.example.com" >"leaves/leaf$k.pem"
        openssl ocsp -issuer inter.pem -cert "leaves/leaf$k.pem" -no_nonce -reqout "requests/req$k.der" >/dev/null
        openssl ocsp -issuer inter.pem -cert "leaves/leaf$k.pem" -reqout "requests/nonce$k.der" >/dev/null
    done
    CA_DATABASE_URL="$url" "$SWIFT_CA" generate-ocsp-keys >/dev/null
    CA_DATABASE_URL="$url" "$SWIFT_CA" generate-ocsp-responses >/dev/null
    # The same installation in SQLite, for one node beside PostgreSQL's (keys stay in CA_DIR).
    "$SWIFT_CA" migrate-db --from "$url" --to "sqlite://$WORK/ocsp/ca.sqlite3" | sed 's/^/ocsp migrate-db: /' >&2

    start_node "$PORT" "sqlite://$WORK/ocsp/ca.sqlite3"
    check_answers "$PORT"
    ocsp_case "sqlite-1-node" post req cache
    ocsp_case "sqlite-1-node" post+nonce nonce signed
    stop_nodes

    start_node "$PORT" "$url"
    check_answers "$PORT"
    ocsp_case "postgres-1-node" post req cache
    ocsp_case "postgres-1-node" post+nonce nonce signed
    start_node $((PORT + 1)) "$url"
    start_node $((PORT + 2)) "$url"
    check_answers $((PORT + 1)); check_answers $((PORT + 2))
    ocsp_case "postgres-3-nodes" post req cache
    ocsp_case "postgres-3-nodes" post+nonce nonce signed
    local pid
    for pid in "${NODE_PIDS[@]}"; do
        echo "ocsp postgres-3-nodes peak RSS of node $pid: $(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status")"
    done
    stop_nodes
    unset CA_DIR
    cd "$WORK"
}

# ---------------------------------------------------------------------------------------------------
part_bulk() {
    mkdir -p "$WORK/bulk"
    cd "$WORK/bulk"
    export CA_DIR="$WORK/bulk/ca"
    export CA_DATABASE_URL="$PG_URL/bulk"
    if [[ -n "${REUSE:-}" ]] && database_exists bulk; then
        log "bulk: reusing the loaded database $CA_DATABASE_URL in $WORK"
    else
        bulk_load
    fi
    bulk_measure
    unset CA_DIR CA_DATABASE_URL
    cd "$WORK"
}
bulk_psql() { psql "$CA_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

bulk_load() {
    create_database bulk >/dev/null
    "$SWIFT_CA" init-ca Root "CN=Bulk Root" --key-type EC --path-length 1 >/dev/null
    "$SWIFT_CA" init-ca InterA "CN=Bulk Inter A" --key-type EC --parent Root >/dev/null
    "$SWIFT_CA" init-ca InterB "CN=Bulk Inter B" --key-type EC --parent Root >/dev/null
    local other_ca
    other_ca="$("$SWIFT_CA" list-cas | awk '$3 == "InterB" {gsub(":", "", $1); print $1}')"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout template.key \
        -subj /CN=template.bulk.example.com -out template.csr 2>/dev/null
    "$SWIFT_CA" sign-cert --ca InterA --csr template.csr --alt template.bulk.example.com >template.pem
    local template
    template="$(bulk_psql -Atc "SELECT serial FROM certificates WHERE common_name = 'template.bulk.example.com'")"
    log "bulk: $ROWS rows in chunks of $CHUNK from template $template (row size $(bulk_psql -Atc \
        "SELECT pg_column_size(c.*) FROM certificates c WHERE serial = '$template'") bytes), every tenth row under InterB $other_ca"
    local now first last start chunk_start elapsed
    now="$(date +%s)"
    start="$(now_ms)"
    for ((first = 1; first <= ROWS; first += CHUNK)); do
        last=$((first + CHUNK - 1)); ((last <= ROWS)) || last=$ROWS
        chunk_start="$(now_ms)"
        bulk_psql -v first="$first" -v last="$last" -v template="$template" -v other_ca="$other_ca" -v now="$now" \
            -f "$HERE/bulk-load.sql"
        elapsed=$(($(now_ms) - start))
        echo "bulk load: rows $first..$last in $(($(now_ms) - chunk_start)) ms; $last rows after $((elapsed / 1000)) s" \
            "($(awk -v r="$last" -v ms="$elapsed" 'BEGIN {printf "%.0f", r / ms * 1000}') rows/s; load1 $(load1))"
    done
    local load_ms=$(($(now_ms) - start))
    start="$(now_ms)"
    # What autovacuum does to a table that only grew: statistics, and the visibility map that lets list-certs
    # read only the listing index (an index-only scan must otherwise visit the table for each row).
    bulk_psql -c "VACUUM (ANALYZE) certificates"
    local vacuum_ms=$(($(now_ms) - start))
    echo "bulk load: $ROWS rows in $((load_ms / 1000)) s ($(awk -v r="$ROWS" -v ms="$load_ms" 'BEGIN {printf "%.0f", r / ms * 1000}') rows/s)," \
        "then VACUUM (ANALYZE) in $((vacuum_ms / 1000)) s"
}

# Sizes, what the commands print, their wall time, and the plans of their statements.
bulk_measure() {
    local now other_ca root_ca
    now="$(date +%s)"
    other_ca="$("$SWIFT_CA" list-cas | awk '$3 == "InterB" {gsub(":", "", $1); print $1}')"
    root_ca="$("$SWIFT_CA" list-cas | awk '$3 == "Root" {gsub(":", "", $1); print $1}')"
    local rows
    rows="$(bulk_psql -Atc "SELECT count(*) FROM certificates WHERE common_name LIKE 'host%.bulk.example.com'")"
    echo "bulk size: database $(bulk_psql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))");" \
        "certificates table $(bulk_psql -Atc "SELECT pg_size_pretty(pg_table_size('certificates'))"), its indexes" \
        "$(bulk_psql -Atc "SELECT string_agg(indexrelname || ' ' || pg_size_pretty(pg_relation_size(indexrelid)), ', ' ORDER BY indexrelname) FROM pg_stat_user_indexes WHERE relname = 'certificates'")"
    echo "bulk rows: $(bulk_psql -Atc "SELECT count(*) || ' certificates, ' || count(*) FILTER (WHERE revoked_at IS NOT NULL) || ' revoked, ' || count(*) FILTER (WHERE not_after <= $now) || ' expired' FROM certificates")"

    # What to ask for: a page deep in the listing (the first certificate expiring a year from now), a serial,
    # a prefix of it, and a CN, all of loaded rows.
    local deep deep_not_after serial prefix cn
    read -r deep deep_not_after < <(bulk_psql -Atc "SELECT serial, not_after FROM certificates WHERE not_after >= $now + 365 * 86400 AND revoked_at IS NULL AND autogenerated = 0 ORDER BY not_after, serial LIMIT 1" | tr '|' ' ')
    local middle=$(((rows + 1) / 2))
    read -r serial cn < <(bulk_psql -Atc "SELECT serial, common_name FROM certificates WHERE common_name = 'host$middle.bulk.example.com'" | tr '|' ' ')
    prefix="${serial:0:12}"
    log "deep page after $deep (not_after $deep_not_after); view-cert $serial, prefix $prefix, CN $cn"
    # Show what the commands print, once, before timing them (whole outputs kept, then cut: a pipe into
    # head could end a command early).
    local page
    page="$("$SWIFT_CA" list-certs --limit 50 2>/dev/null)"
    echo "bulk list-certs first page: $(wc -l <<<"$page") lines, first: $(sed -n 1p <<<"$page")"
    page="$("$SWIFT_CA" list-certs --limit 50 --after "$deep" 2>/dev/null)"
    echo "bulk list-certs --after: $(wc -l <<<"$page") lines, first: $(sed -n 1p <<<"$page")"
    page="$("$SWIFT_CA" list-certs --ca "$other_ca" --limit 50 2>/dev/null)"
    echo "bulk list-certs --ca InterB: $(wc -l <<<"$page") lines, first: $(sed -n 1p <<<"$page")"
    page="$("$SWIFT_CA" view-cert "$prefix")"
    sed -n 1,3p <<<"$page" | sed 's/^/bulk view-cert prefix: /'

    echo "== bulk: $rows loaded certificates in PostgreSQL; each command as a process (load $(load1))"
    time_command "bulk list-certs --limit 50 (first page)" "$SWIFT_CA" list-certs --limit 50
    time_command "bulk list-certs --limit 50 --after <serial> (a year into the listing)" "$SWIFT_CA" list-certs --limit 50 --after "$deep"
    time_command "bulk list-certs --ca <InterB> --limit 50" "$SWIFT_CA" list-certs --ca "$other_ca" --limit 50
    time_command "bulk list-certs --ca <Root> --limit 50 (a CA without certificates)" "$SWIFT_CA" list-certs --ca "$root_ca" --limit 50
    time_command "bulk view-cert <serial>" "$SWIFT_CA" view-cert "$serial"
    time_command "bulk view-cert <12-digit serial prefix>" "$SWIFT_CA" view-cert "$prefix"
    time_command "bulk view-cert <CN>" "$SWIFT_CA" view-cert "$cn"
    time_command "bulk list-cas (process start and connection, for scale)" "$SWIFT_CA" list-cas

    # The statements those commands run (Store.forEachCertificateSummary, certificateSerials, certificate).
    local columns="serial, common_name, not_after, revoked_at, authority_serial"
    local listing="SELECT $columns FROM certificates WHERE 1 = 1 AND not_after > $now"
    local filters="AND revoked_at IS NULL AND autogenerated = 0"
    local queries=(
        "first page|$listing $filters ORDER BY not_after, serial LIMIT 50"
        "page after|$listing $filters AND (not_after, serial) > ($deep_not_after, '$deep') ORDER BY not_after, serial LIMIT 50"
        "one CA|$listing AND authority_serial = '$other_ca' $filters ORDER BY not_after, serial LIMIT 50"
        "CA without certificates|$listing AND authority_serial = '$root_ca' $filters ORDER BY not_after, serial LIMIT 50"
        "serial prefix|SELECT serial FROM certificates WHERE serial >= '$prefix' AND serial < '${prefix}G' ORDER BY serial LIMIT 50"
        "CN|SELECT serial FROM certificates WHERE common_name = '$cn' ORDER BY serial LIMIT 50"
        "row|SELECT * FROM certificates WHERE serial = '$serial'"
    )
    local entry
    for entry in "${queries[@]}"; do
        echo "-- explain ${entry%%|*}: ${entry#*|}"
        bulk_psql -Atc "EXPLAIN (ANALYZE, BUFFERS) ${entry#*|}" | sed 's/^/   /'
    done
}

df -h "$WORK" "$PG_DIR" | sed 's/^/# /' >&2
for part in $PARTS; do
    case "$part" in
    issue) part_issue ;;
    ocsp) part_ocsp ;;
    bulk) part_bulk ;;
    *) echo "unknown part $part (issue, ocsp, bulk)" >&2; exit 2 ;;
    esac
done
