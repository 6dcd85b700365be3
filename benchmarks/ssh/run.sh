#!/usr/bin/env bash
# OpenSSH certificates (issue 16): signatures per second, beside ssh-keygen in the same run.
#
#   per process   RUNS x `swift-ca sign-ssh-cert` (each signs, stores and audits one certificate, then exits) and
#                 RUNS x `ssh-keygen -s` (signs with a key file and stores nothing), both with an Ed25519 CA key.
#   in process    `swift-ca benchmark --ssh-count COUNT`: one request at a time through Authority, each in its own
#                 durable transaction (what the REST API does per request).
#
# Env: SWIFT_CA (binary, default <repo>/.build/release/swift-ca), RUNS (200), COUNT (5000).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SWIFT_CA="$(realpath "${SWIFT_CA:-$ROOT/.build/release/swift-ca}")"
RUNS="${RUNS:-200}"
COUNT="${COUNT:-5000}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ssh-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
for variable in $(compgen -e | grep -E '^(SWIFT_CA_|CA_)' || true); do unset "$variable"; done
export CA_DIR="$WORK/ca"

"$SWIFT_CA" init-ca "Bench SSH" --openssh-ca > /dev/null
ssh-keygen -q -t ed25519 -N "" -f "$WORK/user"
ssh-keygen -q -t ed25519 -N "" -f "$WORK/peer_ca"

seconds() { python3 -c 'import sys; print(sys.argv[2] and float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$2"; }

start="$(date +%s.%N)"
for index in $(seq 1 "$RUNS"); do
    "$SWIFT_CA" sign-ssh-cert --ca "Bench SSH" --public-key "$WORK/user.pub" --type user --principal "user$index" --expires 1 > /dev/null
done
swift_ca="$(seconds "$start" "$(date +%s.%N)")"

start="$(date +%s.%N)"
for index in $(seq 1 "$RUNS"); do
    ssh-keygen -q -s "$WORK/peer_ca" -I "user$index" -n "user$index" -V +1d "$WORK/user.pub"
done
peer="$(seconds "$start" "$(date +%s.%N)")"

python3 - "$RUNS" "$swift_ca" "$peer" <<'PY'
import sys
runs, swift_ca, peer = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"per process, {runs} certificates: swift-ca sign-ssh-cert {runs / swift_ca:.0f}/s ({swift_ca / runs * 1000:.1f} ms each), "
      f"ssh-keygen -s {runs / peer:.0f}/s ({peer / runs * 1000:.1f} ms each), ratio {peer / swift_ca:.2f}")
PY
"$SWIFT_CA" benchmark --ec-count 1 --rsa-count 1 --list-size 2 --ssh-count "$COUNT" --directory "$WORK/inprocess" | grep "sign-ssh-cert"
