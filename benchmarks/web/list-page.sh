#!/usr/bin/env bash
# Latency of the web interface's certificate list page over 100,000 certificates (issue 6).
# Fills a SQLite database with `swift-ca benchmark` (P-256 issuer; one RSA certificate, which the benchmark needs for its view-cert sample), or uses CA_DATABASE_URL when set
# (the benchmark then fills that database), starts `serve`, logs in with curl and times RUNS requests of
# each page: the first page, a page far into the listing (keyset cursor), a search and a status filter.
# usage: benchmarks/web/list-page.sh [BINARY]   (default .build/release/swift-ca; RUNS=20, COUNT=100000)
set -euo pipefail
binary=${1:-.build/release/swift-ca}
runs=${RUNS:-20}
count=${COUNT:-100000}
work=$(mktemp -d /tmp/swift-ca-web-bench.XXXXXX)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export CA_DIR="$work/ca" CA_PASSWORD_HASH_COST=4
echo "filling $count certificates (swift-ca benchmark) ..."
"$binary" benchmark --ec-count "$count" --rsa-count 1 --list-size "$count" --directory "$CA_DIR" | grep -E "issue\+store, P-256|list-certs"
"$binary" create-user bench --password "bench password" --role viewer >/dev/null
"$binary" serve --host 127.0.0.1 --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q "serving on" "$work/serve.out" && break; sleep 0.1; done
base=$(sed -n 's/.*serving on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -1); base=${base%/}
jar="$work/jar"
token=$(curl -s -c "$jar" "$base/admin/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$token" --data-urlencode "username=bench" \
  --data-urlencode "password=bench password" "$base/admin/login"
serial=$(curl -s -b "$jar" "$base/admin/certificates/" | grep -o 'data-serial="[^"]*"' | sed -n '10s/data-serial="\([^"]*\)"/\1/p')
time_page() {
  local label=$1 path=$2 rows
  rows=$(curl -s -b "$jar" "$base$path" | grep -o 'data-serial' | wc -l)
  local times=()
  for _ in $(seq "$runs"); do
    times+=("$(curl -s -m 60 -b "$jar" -o /dev/null -w '%{time_total}' "$base$path" || echo 60)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v rows="$rows" -v runs="$runs" '
    { t[NR] = $1 * 1000 }
    END { printf "%s (%d rows): best %.1f ms, median %.1f ms, p90 %.1f ms, worst %.1f ms of %d requests\n",
          label, rows, t[1], t[int((NR + 1) / 2)], t[int(NR * 0.9)], t[NR], runs }'
}
time_page "list page 1 (all statuses)" "/admin/certificates/"
# The rows were issued over some seconds: a cursor a few seconds past page 1's lands far into the listing.
next=$(curl -s -b "$jar" "$base/admin/certificates/" | sed -n 's/.*href="\/admin\/certificates\/?after=\([0-9]*\)_.*/\1/p' | head -1)
time_page "list page far into the listing (keyset cursor)" "/admin/certificates/?after=$(( next + ${SKIP_SECONDS:-5} ))_0"
time_page "search by serial prefix ${serial:0:6}" "/admin/certificates/?q=${serial:0:6}"
time_page "search by CN prefix bench (matches every row)" "/admin/certificates/?q=bench"
time_page "search by SAN substring example.com (matches every row)" "/admin/certificates/?q=example.com"
time_page "status=revoked (no rows)" "/admin/certificates/?status=revoked"
time_page "dashboard" "/admin/"
