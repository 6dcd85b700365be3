#!/usr/bin/env bash
# Installs the peer (django-ca from PyPI) into benchmarks/django-ca-peer/venv; then run run.sh.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv venv
venv/bin/pip install --quiet "django-ca==3.2.0"
