#!/usr/bin/env bash
# import-django-ca against django-ca's own way of moving an installation to a new database (dumpdata, then
# loaddata into a freshly migrated one), on the same django-ca 3.2 installation with BULK extra certificates.
# Prints one line per figure. Needs benchmarks/django-ca-peer/setup.sh and a release build:
#   swift build -c release --static-swift-stdlib --product swift-ca --scratch-path .build-release
# Env: BULK (10000), RUNS (5), STATE (a directory for the installation; built once and kept).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PEER="$ROOT/benchmarks/django-ca-peer"
BINARY="${SWIFT_CA:-$ROOT/.build-release/release/swift-ca}"
BULK="${BULK:-10000}"
RUNS="${RUNS:-5}"
STATE="${STATE:-/tmp/swift-ca-import-bench-$BULK}"
WORK="$(mktemp -d /tmp/swift-ca-import-work.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

if [ ! -f "$STATE/expected.json" ]; then
  "$PEER/venv/bin/python" "$PEER/make-installation.py" --state "$STATE" --bulk "$BULK" -q
fi
certificates=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counts']['certificates'])" "$STATE/expected.json")
password=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print(' '.join('--password=%s=%s' % (c['serial'], c['key_password']) for c in d['certificate_authorities'] if c.get('key_password')))
" "$STATE/expected.json")
echo "installation: $STATE ($certificates certificates, django-ca 3.2.0, SQLite)"

# swift-ca: a fresh CA_DIR per run, so that every run imports everything (SQLite, synchronous=FULL).
hyperfine --runs "$RUNS" --export-json "$WORK/swift-ca.json" \
  --prepare "rm -rf $WORK/target" \
  "CA_DIR=$WORK/target $BINARY import-django-ca --from $STATE/db.sqlite3 --key-dir $STATE/ca $password" >/dev/null
python3 - "$WORK/swift-ca.json" "$certificates" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))["results"][0]
n = int(sys.argv[2])
print(f"swift-ca import-django-ca: mean {result['mean']:.2f} s (min {result['min']:.2f}, max {result['max']:.2f}), {n / result['mean']:.0f} certificates/s")
PY
rm -rf "$WORK/target"
CA_DIR="$WORK/target" /usr/bin/time -f "%M" -o "$WORK/rss" "$BINARY" import-django-ca --from "$STATE/db.sqlite3" --key-dir "$STATE/ca" $password >/dev/null
echo "swift-ca import-django-ca: max RSS $(( $(cat "$WORK/rss") / 1024 )) MiB"

# django-ca: dumpdata of its app, then loaddata into a migrated empty database (the migration is not timed).
export DJANGO_SETTINGS_MODULE=peer.settings
cd "$PEER/project"
PEER_STATE_DIR="$STATE" /usr/bin/time -f "%e %M" -o "$WORK/dump.time" "$PEER/venv/bin/python" manage.py dumpdata django_ca -o "$WORK/dump.json"
mkdir -p "$WORK/template"
PEER_STATE_DIR="$WORK/template" "$PEER/venv/bin/python" manage.py migrate -v 0
hyperfine --runs "$RUNS" --export-json "$WORK/django-ca.json" \
  --prepare "rm -rf $WORK/loaded && cp -r $WORK/template $WORK/loaded" \
  "PEER_STATE_DIR=$WORK/loaded $PEER/venv/bin/python manage.py loaddata $WORK/dump.json -v 0" >/dev/null
python3 - "$WORK/django-ca.json" "$WORK/dump.time" "$certificates" <<'PY'
import json, sys
load = json.load(open(sys.argv[1]))["results"][0]
dump_seconds, dump_rss = open(sys.argv[2]).read().split()
n = int(sys.argv[3])
total = load["mean"] + float(dump_seconds)
print(f"django-ca dumpdata: {float(dump_seconds):.2f} s (max RSS {int(dump_rss) // 1024} MiB); loaddata: mean {load['mean']:.2f} s "
      f"(min {load['min']:.2f}, max {load['max']:.2f}); together {total:.2f} s, {n / total:.0f} certificates/s")
PY
rm -rf "$WORK/loaded" && cp -r "$WORK/template" "$WORK/loaded"
PEER_STATE_DIR="$WORK/loaded" /usr/bin/time -f "%M" -o "$WORK/rss" "$PEER/venv/bin/python" manage.py loaddata "$WORK/dump.json" -v 0
echo "django-ca loaddata: max RSS $(( $(cat "$WORK/rss") / 1024 )) MiB"
