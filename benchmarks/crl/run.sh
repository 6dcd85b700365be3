#!/usr/bin/env bash
# CRLs (issue 17): a complete CRL beside `cfssl gencrl` in the same run, and what the CRL job does on a CA with 64
# shards and delta CRLs.
#
#   SIZE revoked certificates on the "Bench CRL" CA of `swift-ca benchmark --crl-size SIZE` (64 shards, deltas on);
#   the benchmark prints dump-crl of the complete CRL, the job after 100 more revocations, one delta and one shard.
#   Then RUNS x `swift-ca dump-crl` of the complete CRL and RUNS x `cfssl gencrl` over the same serials with the same
#   CA key and certificate, alternating, each a whole process as a user or cron runs it. (Debian's cfssl 1.2.0 reads a
#   TIME argument as a file name, so cfssl signs with its default validity.)
#
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), SIZE (10000), RUNS (10), KEEP (a directory to keep
# the CA in; default a temporary one).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
SIZE="${SIZE:-10000}"
RUNS="${RUNS:-10}"
WORK="${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/crl-bench.XXXXXX")}"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done
export CA_DIR="$WORK/ca"

"$SWIFT_CA" benchmark --ec-count 1000 --rsa-count 10 --list-size 0 --crl-size "$SIZE" --directory "$CA_DIR" | grep -Ei "crl|shard|delta"

serial="$("$SWIFT_CA" list-cas | awk '/Bench CRL/ { print $1 }')"
plain="${serial//:/}"
"$SWIFT_CA" dump-ca "$serial" --out "$WORK/ca.pem"
cp "$CA_DIR/keys/$plain.key" "$WORK/ca-key.pem"
# cfssl reads decimal serials, one a line.
"$SWIFT_CA" dump-crl --ca "$serial" --format DER "$WORK/swift-ca.crl"
openssl crl -in "$WORK/swift-ca.crl" -inform DER -noout -text | awk '/Serial Number:/ { print $3 }' \
    | python3 -c 'import sys; [print(int(line, 16)) for line in sys.stdin]' > "$WORK/serials.txt"
echo "serials for cfssl: $(wc -l < "$WORK/serials.txt")"

python3 - "$SWIFT_CA" "$serial" "$WORK" "$RUNS" <<'PY'
import subprocess, sys, time, statistics
swift_ca, serial, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
commands = {
    "swift-ca dump-crl": [swift_ca, "dump-crl", "--ca", serial, "--format", "DER", f"{work}/swift-ca.crl"],
    "cfssl gencrl": ["cfssl", "gencrl", f"{work}/serials.txt", f"{work}/ca.pem", f"{work}/ca-key.pem"],
}
times = {name: [] for name in commands}
for _ in range(runs):
    for name, command in commands.items():
        with open(f"{work}/{name.split()[0]}.out", "wb") as output:
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=output)
            times[name].append(time.perf_counter() - start)
for name, values in times.items():
    print(f"{name}: best {min(values) * 1000:.0f} ms, median {statistics.median(values) * 1000:.0f} ms of {runs} runs")
ratio = statistics.median(times["swift-ca dump-crl"]) / statistics.median(times["cfssl gencrl"])
print(f"median ratio swift-ca / cfssl: {ratio:.2f}")
PY
# Both CRLs are judged: openssl reads them and they list the same number of certificates.
base64 -d "$WORK/cfssl.out" > "$WORK/cfssl.crl" 2>/dev/null || openssl base64 -d -A -in "$WORK/cfssl.out" -out "$WORK/cfssl.crl"
for crl in swift-ca cfssl; do
    count="$(openssl crl -in "$WORK/$crl.crl" -inform DER -noout -text | grep -c 'Serial Number:')"
    openssl crl -in "$WORK/$crl.crl" -inform DER -noout -CAfile "$WORK/ca.pem" 2>&1 | grep -q "verify OK" \
        && echo "$crl: $count entries, signature verify OK"
done
