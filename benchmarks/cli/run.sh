#!/usr/bin/env bash
# One certificate from the command line, as a user or a script runs it: `swift-ca sign-cert` against
# `cfssl sign -db-config` (the certificate stored in cfssl's SQLite certdb), and `swift-ca --version` for
# the process start, with hyperfine in the same run. Also counts, with strace, the threads started and the
# fsyncs of one `sign-cert`.
#
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), RUNS (50), WARMUP (5).
# Needs: hyperfine, cfssl (Debian's golang-cfssl), sqlite3, openssl, strace.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
RUNS="${RUNS:-50}"
WARMUP="${WARMUP:-5}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cli-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done
cd "$WORK"

# swift-ca: a P-256 root in a fresh CA_DIR.
export CA_DIR="$WORK/swift-ca"
"$SWIFT_CA" init-ca Root "CN=Bench Root" --key-type EC >/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
    -subj /CN=bench.example.com 2>/dev/null

# cfssl: a P-256 root and a certdb with cfssl's own schema (certdb/sqlite/migrations of cfssl 1.2).
cat > ca-csr.json <<'JSON'
{"CN": "Bench Root", "key": {"algo": "ecdsa", "size": 256}}
JSON
cfssl gencert -initca ca-csr.json 2>/dev/null | cfssljson -bare cfssl-ca
sqlite3 certs.db <<'SQL'
CREATE TABLE certificates (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, ca_label blob,
  status blob NOT NULL, reason int, expiry timestamp, revoked_at timestamp, pem blob NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier));
CREATE TABLE ocsp_responses (serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, body blob NOT NULL,
  expiry timestamp, PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier) REFERENCES certificates(serial_number, authority_key_identifier));
SQL
echo '{"driver":"sqlite3","data_source":"certs.db"}' > db.json

hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-markdown results.md \
    -n "swift-ca sign-cert" "'$SWIFT_CA' sign-cert --ca Root --csr leaf.csr --subject CN=bench.example.com --alt bench.example.com > /dev/null" \
    -n "cfssl sign -db-config" "cfssl sign -ca cfssl-ca.pem -ca-key cfssl-ca-key.pem -db-config db.json -hostname bench.example.com leaf.csr > /dev/null 2>&1" \
    -n "swift-ca --version" "'$SWIFT_CA' --version > /dev/null"
cat results.md
echo "stored: swift-ca $("$SWIFT_CA" list-certs | wc -l) certificates, cfssl $(sqlite3 certs.db 'SELECT COUNT(*) FROM certificates') certificates"

if command -v strace >/dev/null; then
    strace -f -c -e trace=clone,clone3,fsync,fdatasync,futex -o strace.txt \
        "$SWIFT_CA" sign-cert --ca Root --csr leaf.csr --subject CN=bench.example.com >/dev/null
    echo "one sign-cert (strace -c):"
    grep -E "clone|sync|futex" strace.txt
fi
