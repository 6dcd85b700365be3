#!/usr/bin/env bash
# django-ca benchmark peer (for comparison with swift-ca). Prints one line per figure.
#
# Every section starts from a clean state: state/ is wiped and gets a fresh copy of an empty,
# freshly migrated SQLite DB (migrations are run once per run.sh invocation, untimed) and an
# empty key storage directory (STORAGES["django-ca"] -> state/ca).
#
# Wall times are measured around the whole `manage.py ...` process (what a user sees, so they
# include Python + Django start-up); max RSS comes from /usr/bin/time -f %M (KiB).
# Env: N_EC (1000), N_RSA (300), N_LIST (100000), SIGN_RUNS (5), LIST_RUNS (3).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
PY="$HERE/venv/bin/python"
PROJ="$HERE/project"
STATE="$HERE/state"
TEMPLATE="$HERE/state.template"
WORK="$HERE/work"          # CSR, captured outputs, per-run timing files
N_EC="${N_EC:-1000}"
N_RSA="${N_RSA:-300}"
N_LIST="${N_LIST:-100000}"
SIGN_RUNS="${SIGN_RUNS:-5}"
LIST_RUNS="${LIST_RUNS:-3}"
export PEER_STATE_DIR="$STATE" DJANGO_SETTINGS_MODULE=peer.settings
cd "$PROJ"

manage() { "$PY" manage.py "$@"; }

# fresh: empty state (copy of the migrated template DB + empty key storage)
fresh() {
    rm -rf "$STATE"
    mkdir -p "$STATE/ca"
    cp "$TEMPLATE/db.sqlite3" "$STATE/db.sqlite3"
}

# timed OUTFILE cmd...: runs cmd with stdout -> OUTFILE, appends "wall_s maxrss_kib" to $WORK/t
timed() {
    local out="$1"; shift
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$WORK/rss" "$@" >"$out"
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 )) $(tail -1 "$WORK/rss")" >>"$WORK/t"
}

# summarise LABEL: best/median wall (ms) and max RSS over the runs recorded in $WORK/t
summarise() {
    python3 - "$1" "$WORK/t" <<'EOF'
import statistics, sys
label, path = sys.argv[1], sys.argv[2]
rows = [tuple(map(int, l.split())) for l in open(path) if l.strip()]
walls = sorted(r[0] for r in rows)
rss = max(r[1] for r in rows)
runs = " ".join(f"{w / 1000:.3f}" for w in (r[0] for r in rows))
print(f"{label}: best {walls[0] / 1000:.3f} s, median {statistics.median(walls) / 1000:.3f} s "
      f"(n={len(walls)}: {runs}), max RSS {rss / 1024:.1f} MiB")
EOF
    : >"$WORK/t"
}

START=$(date +%s)
rm -rf "$WORK" "$TEMPLATE"; mkdir -p "$WORK" "$TEMPLATE"; : >"$WORK/t"

# ---- setup (untimed): one migrated empty DB used as the template for every fresh state
PEER_STATE_DIR="$TEMPLATE" "$PY" manage.py migrate -v 0
echo "django-ca $("$PY" -c 'import django_ca; print(django_ca.__version__)'), Django $("$PY" -c 'import django; print(django.get_version())'), cryptography $("$PY" -c 'import cryptography; print(cryptography.__version__)'), $("$PY" -V), SQLite $("$PY" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/host.key" -out "$WORK/host.csr" -subj /CN=host.example.com 2>/dev/null

# ---- 0. start-up floor: a manage.py process that does nothing (context for a/b/d)
fresh
manage check >/dev/null   # warm page cache
for _ in 1 2 3; do timed /dev/null "$PY" manage.py shell --no-imports -c pass; done
summarise "0 startup floor (manage.py shell --no-imports -c pass)"

# ---- a. init_ca, EC P-256 root (fresh state each run)
for _ in 1 2 3; do
    fresh
    timed "$WORK/init_ca.out" "$PY" manage.py init_ca --key-type EC --elliptic-curve secp256r1 \
        RootEC "CN=Root EC"
done
summarise "a init_ca EC P-256 root"

# ---- b. sign_cert, one certificate from an openssl P-256 CSR (same fresh CA for all runs)
fresh
manage init_ca --key-type EC --elliptic-curve secp256r1 RootEC "CN=Root EC" >/dev/null
for i in $(seq "$SIGN_RUNS"); do
    timed "$WORK/cert$i.pem" "$PY" manage.py sign_cert --csr "$WORK/host.csr" --webserver --subject CN=host.example.com --alt host.example.com
done
summarise "b sign_cert webserver P-256 CSR (EC CA)"
openssl x509 -in "$WORK/cert1.pem" -noout -checkend 0 >/dev/null || { echo "b: bad certificate"; exit 1; }

# ---- c. bulk issuance through Certificate.objects.create_cert() in one process
bulk() {  # bulk LABEL CA-ARGS N [--atomic]
    local label="$1" caargs="$2" n="$3" extra="${4:-}"
    fresh
    # shellcheck disable=SC2086
    manage init_ca $caargs >/dev/null
    timed "$WORK/bulk.out" "$PY" manage.py bench_issue --ca Root -n "$n" --label "$label" $extra
    echo "$(cat "$WORK/bulk.out"), process max RSS $(( $(tail -1 "$WORK/t" | cut -d' ' -f2) / 1024 )) MiB"
    : >"$WORK/t"
}
bulk "c EC P-256 CA, default (autocommit)" "--key-type EC --elliptic-curve secp256r1 Root CN=RootEC" "$N_EC"
bulk "c EC P-256 CA, one transaction"       "--key-type EC --elliptic-curve secp256r1 Root CN=RootEC" "$N_EC" --atomic
bulk "c RSA-2048 CA, default (autocommit)" "--key-type RSA --key-size 2048 Root CN=RootRSA" "$N_RSA"
bulk "c RSA-2048 CA, one transaction"       "--key-type RSA --key-size 2048 Root CN=RootRSA" "$N_RSA" --atomic

# ---- d. list_certs / view_cert with N_LIST certificates in the DB
fresh
manage init_ca --key-type EC --elliptic-curve secp256r1 Root "CN=Root EC" >/dev/null
# 1000 real certificates through the API (one transaction, untimed here), then copies of one of
# them via bulk_create (API issuance of 100k at the default autocommit rate would take >30 min).
manage bench_issue --ca Root -n 1000 --label "d fill: API-issued" --atomic
manage fill_certs --total "$N_LIST"
SERIAL=$(manage shell --no-imports -v 0 -c 'from django_ca.models import Certificate as C; print(C.objects.filter(autogenerated=False, cn="host500.example.com").get().serial)')
manage list_certs >/dev/null   # warm page cache for the 100k-row DB
for _ in $(seq "$LIST_RUNS"); do timed "$WORK/list.out" "$PY" manage.py list_certs; done
LINES=$(wc -l <"$WORK/list.out")
summarise "d list_certs ($LINES lines)"
[ "$LINES" -eq "$N_LIST" ] || { echo "d: list_certs printed $LINES lines, expected $N_LIST"; exit 1; }
for _ in $(seq "$LIST_RUNS"); do timed "$WORK/view.out" "$PY" manage.py view_cert "$SERIAL"; done
summarise "d view_cert $SERIAL ($(wc -l <"$WORK/view.out") lines)"
grep -q "host500.example.com" "$WORK/view.out" || { echo "d: view_cert output lacks CN"; exit 1; }
echo "db size with $N_LIST certs: $(du -m "$STATE/db.sqlite3" | cut -f1) MiB"

echo "total run.sh wall: $(( $(date +%s) - START )) s"
