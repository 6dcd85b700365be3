#!/usr/bin/env bash
# Installs the peer (django-ca from PyPI) into benchmarks/django-ca-peer/venv: the benchmark peer (run.sh), the
# django-ca installation the import tests build (make-installation.py) and the option and API comparisons.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv venv
# [api]: django-ninja, for compare-api.py; psycopg: make-installation.py --postgres; pyyaml: compare-api.py.
venv/bin/pip install --quiet "django-ca[api]==3.2.0" "psycopg[binary]" pyyaml
