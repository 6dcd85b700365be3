#!/usr/bin/env bash
# OCSP over HTTP: `swift-ca serve` under wrk, then two peers with the same certificates, requests and
# wrk parameters: `openssl ocsp` (signs every request) and `cfssl ocspserve` (pre-signed responses).
# Prints one summary line per server and case (plus swift-ca's /healthz as the HTTP-stack reference):
#   ocsp <server> <case>: N requests/s (wrk -t2 -c64 -d10s), p50 X ms, p99 Y ms, non-2xx Z (load1 A -> B)
#
# Cases (N certificates, requests sent round-robin):
#   post        POST without nonce: swift-ca answers from its cache (pre-signed responses), cfssl from
#               its file; openssl signs anyway.
#   post+nonce  POST with a nonce, which the answer must echo, so every response is signed for the request
#               (not run against cfssl, which cannot).
#   get         GET of the no-nonce request, base64 in the path (RFC 6960 A.1); cached like post
#               (not run against cfssl, whose GET is broken, see below).
# Before timing, one answer of each kind is checked with openssl (signature, nonce, "good"); afterwards
# swift-ca's /metrics must show where its answers came from (cache for post and get, signed for nonces).
#
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), N (leaf certificates, 200),
#      THREADS (2), CONNECTIONS (64), DURATION (10s), WARMUP (3s), PORT (18555; peers use PORT+1, PORT+2),
#      PEERS (1; 0 skips openssl and cfssl), KEEP (0; 1 keeps the work directory).
# Needs: wrk, openssl 3, curl; cfssl for its peer; unshare/nsenter (root) for the openssl peer.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
N="${N:-200}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
PORT="${PORT:-18555}"
PEERS="${PEERS:-1}"
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION")
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ocsp-bench.XXXXXX")"

# Only this run's settings: a fresh CA_DIR and no CA_* / SWIFT_CA_* overrides from the caller.
for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done
export CA_DIR="$WORK/ca"

SERVERS=()    # pids to stop on exit
cleanup() {
    local pid
    for pid in "${SERVERS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        # openssl ocsp -multi: the parent only notices SIGTERM when a worker exits (see stop_openssl).
        pkill -TERM -P "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ "${KEEP:-0}" == 1 ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log() { echo "# $*" >&2; }
port_free() { ! ss -Htln "sport = :$1" | grep -q .; }
# wait_ready URL [command prefix]: until URL answers an OCSP POST (10 s at most). A real request, not a
# bare connect: `openssl ocsp` (3.0) spins forever on a connection closed without a request.
wait_ready() {
    local url="$1"; shift
    for _ in $(seq 100); do
        if "$@" curl -sf -o /dev/null --data-binary @requests/req1.der -H 'Content-Type: application/ocsp-request' \
            "$url" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing answers at $url" >&2; return 1
}
vmhwm() { awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }

# ---------------------------------------------------------------------------------------------------
# Hierarchy: P-256 root -> intermediate -> N leaves (one CSR key; the serials differ), plus requests.
cd "$WORK"
log "CA_DIR=$CA_DIR; $N leaf certificates; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$SWIFT_CA" init-ca Root "CN=Bench Root" --key-type EC --path-length 1 >/dev/null
"$SWIFT_CA" init-ca Inter "CN=Bench Inter" --key-type EC --parent Root >/dev/null
"$SWIFT_CA" dump-ca Root >root.pem
"$SWIFT_CA" dump-ca Inter >inter.pem
INTER="$("$SWIFT_CA" list-cas | awk '$3 == "Inter" {gsub(":", "", $1); print $1}')"
[[ -n "$INTER" ]] || { echo "cannot find the serial of CA Inter in list-cas" >&2; exit 1; }
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -subj /CN=bench \
    -out leaf.csr 2>/dev/null
mkdir -p leaves requests
for k in $(seq "$N"); do
    "$SWIFT_CA" sign-cert --ca Inter --csr leaf.csr --alt "host$k.example.com" >"leaves/leaf$k.pem"
    # The same request openssl (and most TLS stacks) would send: SHA-1 CertID, one certificate.
    openssl ocsp -issuer inter.pem -cert "leaves/leaf$k.pem" -no_nonce -reqout "requests/req$k.der" >/dev/null
    # With openssl's default random nonce, which the responder has to echo in a freshly signed response.
    openssl ocsp -issuer inter.pem -cert "leaves/leaf$k.pem" -reqout "requests/nonce$k.der" >/dev/null
done
"$SWIFT_CA" generate-ocsp-keys >/dev/null
"$SWIFT_CA" generate-ocsp-responses >/dev/null
"$SWIFT_CA" dump-ocsp-index index.txt --ca Inter
# The intermediate's current delegated responder certificate and key (the peers sign with the same key).
RESPONDER="$("$SWIFT_CA" list-certs --autogenerated --ca Inter | awk '/ - Bench Inter OCSP responder / {print $1}')"
[[ -n "$RESPONDER" ]] || { echo "cannot find the responder certificate of CA Inter in list-certs" >&2; exit 1; }
"$SWIFT_CA" dump-cert "$RESPONDER" >responder.pem
cp "$CA_DIR/keys/ocsp-$(tr -d ':' <<<"$RESPONDER").key" responder.key
log "intermediate $INTER, responder certificate $RESPONDER"

# get_paths PREFIX: one GET path per no-nonce request, base64 percent-encoded as RFC 6960 A.1 asks.
get_paths() {
    local k
    for k in $(seq "$N"); do
        printf '%s%s\n' "$1" "$(base64 -w0 "requests/req$k.der" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')"
    done
}

# check_response NAME RESPONSE REQUEST: RESPONSE verifies against root.pem, answers REQUEST (openssl
# checks the nonce when REQUEST has one) and says leaf 1 is good.
check_response() {
    local name="$1" response="$2" request="$3" out
    out="$(openssl ocsp -respin "$response" -reqin "$request" -CAfile root.pem -verify_other inter.pem 2>&1)" || true
    # openssl only warns when a nonce request gets an answer without the nonce; that is a failure here.
    if ! grep -q 'Response verify OK' <<<"$out" || grep -q 'no nonce in response' <<<"$out"; then
        echo "$name: $response does not answer $request:" >&2; echo "$out" >&2; return 1
    fi
    out="$(openssl ocsp -respin "$response" -CAfile root.pem -verify_other inter.pem -issuer inter.pem \
        -cert leaves/leaf1.pem -no_nonce 2>&1)" || true
    if ! grep -q 'Response verify OK' <<<"$out" || ! grep -q 'leaf1.pem: good' <<<"$out"; then
        echo "$name: $response does not say that leaf 1 is good:" >&2; echo "$out" >&2; return 1
    fi
}

# verify NAME URL [command prefix]: a POST, a POST with nonce and a GET for leaf 1 each get a verified
# "good" answer.
verify() {
    local name="$1" url="$2"; shift 2
    "$@" curl -sf --data-binary @requests/req1.der -H 'Content-Type: application/ocsp-request' "$url" -o "$name-post.der"
    check_response "$name" "$name-post.der" requests/req1.der
    "$@" curl -sf --data-binary @requests/nonce1.der -H 'Content-Type: application/ocsp-request' "$url" \
        -o "$name-nonce.der"
    check_response "$name" "$name-nonce.der" requests/nonce1.der
    "$@" curl -sf "$url$(get_paths "" | head -n 1)" -o "$name-get.der"
    check_response "$name" "$name-get.der" requests/req1.der
    log "$name: POST, POST with nonce and GET answers verify OK and say good"
}

# bench NAME CASE URL SCRIPT-ARGS... [-- command prefix]: warm-up run, timed run, summary line.
bench() {
    local name="$1" case="$2" url="$3"; shift 3
    local args=() prefix=()
    while (($#)) && [[ "$1" != -- ]]; do args+=("$1"); shift; done
    (($#)) && { shift; prefix=("$@"); }
    # Warm-up fills swift-ca's cache and lets the servers settle; NO_WARMUP=1 skips it (openssl, below).
    if [[ "${NO_WARMUP:-0}" != 1 ]]; then
        "${prefix[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${args[@]}" "$url" -- "${SCRIPT_ARGS[@]}" >/dev/null
    fi
    local before after result
    before="$(cut -d' ' -f1 /proc/loadavg)"
    result="$("${prefix[@]}" wrk "${WRK_ARGS[@]}" --latency "${args[@]}" "$url" -- "${SCRIPT_ARGS[@]}" | grep '^WRK_RESULT')"
    after="$(cut -d' ' -f1 /proc/loadavg)"
    eval "${result#WRK_RESULT }"   # rps= p50_ms= p99_ms= non2xx= sockerr= requests=
    local extra=""
    ((sockerr == 0)) || extra=", socket errors $sockerr"
    echo "ocsp $name $case: $rps requests/s (wrk ${WRK_ARGS[*]}), p50 $p50_ms ms, p99 $p99_ms ms, non-2xx $non2xx$extra (load1 $before -> $after)"
}
# post_case NAME CASE URL PREFIX [-- command prefix] / get_case NAME URL PATHFILE [-- command prefix]
post_case() {
    local name="$1" case="$2" url="$3" file_prefix="$4"; shift 4
    SCRIPT_ARGS=("$WORK/requests" "$N" "$file_prefix")
    bench "$name" "$case" "$url" -s "$HERE/post.lua" "$@"
}
get_case() {
    local name="$1" url="$2" paths="$3"; shift 3
    SCRIPT_ARGS=("$paths")
    bench "$name" get "$url" -s "$HERE/get.lua" "$@"
}

# metric SOURCE: swift-ca's count of OCSP answers from SOURCE (cache, stored, signed, error-...).
metric() {
    curl -sf "http://127.0.0.1:$PORT/metrics" |
        awk -v s="source=\"$1\"" 'index($0, "swift_ca_ocsp_responses_total{") == 1 && index($0, s) {n += $NF} END {print n + 0}'
}
# snapshot, then expect_source SOURCE: at least 95% of the answers since the snapshot came from SOURCE
# (warm-up runs included; they ask the same way).
declare -A SNAPSHOT
snapshot() { local s; for s in cache stored signed; do SNAPSHOT[$s]="$(metric "$s")"; done; }
expect_source() {
    local want="$1" s delta total=0 wanted=0 line=""
    for s in cache stored signed; do
        delta=$(($(metric "$s") - SNAPSHOT[$s]))
        total=$((total + delta)); [[ $s == "$want" ]] && wanted=$delta
        line+=" $s=$delta"
    done
    log "swift-ca /metrics since the previous case:$line"
    ((total > 0 && wanted * 100 >= total * 95)) || { echo "expected the answers to come from '$want'" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------------
# swift-ca serve
port_free "$PORT" || { echo "port $PORT is in use" >&2; exit 1; }
"$SWIFT_CA" serve --port "$PORT" >serve.log 2>&1 &
SERVE_PID=$!
SERVERS+=("$SERVE_PID")
URL="http://127.0.0.1:$PORT/ca/ocsp/$INTER/cert/"
wait_ready "$URL"
verify swift-ca "$URL"
get_paths "/ca/ocsp/$INTER/cert/" >paths-swift-ca.txt

# Reference, not OCSP: the same HTTP stack answering /healthz (a 3-byte text body), the ceiling for
# the OCSP cases on this machine.
echo /healthz >paths-healthz.txt
get_case swift-ca "$URL" "$WORK/paths-healthz.txt" | sed 's/^ocsp swift-ca get:/http swift-ca healthz:/'
snapshot; post_case swift-ca post "$URL" req;   expect_source cache
snapshot; post_case swift-ca post+nonce "$URL" nonce; expect_source signed
snapshot; get_case swift-ca "$URL" "$WORK/paths-swift-ca.txt"; expect_source cache
errors="$(curl -sf "http://127.0.0.1:$PORT/metrics" | grep -E '^swift_ca_ocsp_responses_total\{source="error' || true)"
[[ -z "$errors" ]] || { echo "swift-ca answered with OCSP errors: $errors" >&2; exit 1; }
echo "ocsp swift-ca peak RSS (VmHWM): $(vmhwm "$SERVE_PID")"

[[ "$PEERS" == 1 ]] || exit 0

# ---------------------------------------------------------------------------------------------------
# openssl ocsp: signs every request; -multi 2 forks two workers (one per CPU here). OpenSSL 3.0 binds
# -port on every interface, so it runs in a network namespace of its own with only loopback, and wrk and
# curl enter that namespace. A worker that accepts a connection closed without a request spins forever
# reading EOF (OpenSSL 3.0.19); wrk leaves such connections behind when a run ends. So every timed run gets
# a fresh server and no warm-up run (openssl has no cache to fill; the index is read at start).
OPENSSL_PORT=$((PORT + 1))
OPENSSL_RSS=0
start_openssl() {
    unshare --net bash -c "ip link set lo up && exec openssl ocsp -index index.txt -CA inter.pem \
        -rsigner responder.pem -rkey responder.key -port $OPENSSL_PORT -nmin 60 -multi 2" >>openssl.log 2>&1 &
    OPENSSL_PID=$!
    SERVERS+=("$OPENSSL_PID")
    sleep 0.2
    IN_NS=(nsenter --net="/proc/$OPENSSL_PID/ns/net")
    URL="http://127.0.0.1:$OPENSSL_PORT/"
    wait_ready "$URL" "${IN_NS[@]}"
}
stop_openssl() {
    local pid rss=0
    for pid in "$OPENSSL_PID" $(pgrep -P "$OPENSSL_PID"); do
        rss=$((rss + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")))
    done
    ((rss > OPENSSL_RSS)) && OPENSSL_RSS=$rss
    # The -multi parent only notices SIGTERM when a worker exits, so the workers get one too.
    kill -TERM "$OPENSSL_PID"; pkill -TERM -P "$OPENSSL_PID" || true; wait "$OPENSSL_PID" 2>/dev/null || true
    local kept=()
    for pid in "${SERVERS[@]}"; do [[ $pid == "$OPENSSL_PID" ]] || kept+=("$pid"); done
    SERVERS=("${kept[@]}")
}
start_openssl; verify openssl "$URL" "${IN_NS[@]}"; stop_openssl
get_paths "/" >paths-openssl.txt
NO_WARMUP=1
start_openssl; post_case openssl post "$URL" req -- "${IN_NS[@]}"; stop_openssl
start_openssl; post_case openssl post+nonce "$URL" nonce -- "${IN_NS[@]}"; stop_openssl
start_openssl; get_case openssl "$URL" "$WORK/paths-openssl.txt" -- "${IN_NS[@]}"; stop_openssl
unset NO_WARMUP
echo "ocsp openssl peak RSS (VmHWM, manager + 2 workers): $(awk -v k="$OPENSSL_RSS" 'BEGIN {printf "%.1f MiB", k / 1024}')"

# ---------------------------------------------------------------------------------------------------
# cfssl ocspserve: answers from a file of responses, pre-signed here by `cfssl ocspsign` with the same
# responder certificate and key (one base64 response per line). Only the post case: it cannot echo nonces,
# and Debian's cfssl 1.2.0 refuses every GET with 400 (it base64-decodes the path with its leading "/"
# and with "+" turned into spaces: "Error decoding base64 from URL" in its log).
if ! command -v cfssl >/dev/null; then echo "ocsp cfssl: skipped, cfssl is not installed"; exit 0; fi
CFSSL_PORT=$((PORT + 2))
for k in $(seq "$N"); do
    cfssl ocspsign -loglevel 5 -ca inter.pem -responder responder.pem -responder-key responder.key \
        -cert "leaves/leaf$k.pem" -status good -interval 1h | sed -n 's/.*"ocspResponse":"\([^"]*\)".*/\1/p'
done >cfssl-responses.txt
[[ "$(grep -c . cfssl-responses.txt)" == "$N" ]] || { echo "cfssl ocspsign did not sign $N responses" >&2; exit 1; }
port_free "$CFSSL_PORT" || { echo "port $CFSSL_PORT is in use" >&2; exit 1; }
cfssl ocspserve -loglevel 5 -responses cfssl-responses.txt -address 127.0.0.1 -port "$CFSSL_PORT" >cfssl.log 2>&1 &
CFSSL_PID=$!
SERVERS+=("$CFSSL_PID")
URL="http://127.0.0.1:$CFSSL_PORT/"
wait_ready "$URL"
curl -sf --data-binary @requests/req1.der -H 'Content-Type: application/ocsp-request' "$URL" -o cfssl-post.der
check_response cfssl cfssl-post.der requests/req1.der
log "cfssl: POST answer verifies OK and says good"
post_case cfssl post "$URL" req
echo "ocsp cfssl peak RSS (VmHWM): $(vmhwm "$CFSSL_PID")"
