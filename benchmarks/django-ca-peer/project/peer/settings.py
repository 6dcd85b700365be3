"""Minimal Django settings for running django-ca as a benchmark peer."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # benchmarks/django-ca-peer, whichever checkout it is in
STATE_DIR = Path(os.environ.get("PEER_STATE_DIR", BASE_DIR / "state"))

SECRET_KEY = "benchmark-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_object_actions",
    "django_ca",
    "peerbench",  # benchmark-only management commands
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth",
                                        "django.contrib.messages.context_processors.messages",
                                        "django.template.context_processors.request"]},
}]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": STATE_DIR / "db.sqlite3",
    }
}
# Optional: PEER_DATABASE_URL=postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME switches to PostgreSQL
# (needs psycopg, installed by setup.sh). Unset = the SQLite database above (what run.sh uses).
if os.environ.get("PEER_DATABASE_URL"):
    from urllib.parse import unquote, urlsplit

    _db_url = urlsplit(os.environ["PEER_DATABASE_URL"])
    if _db_url.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"PEER_DATABASE_URL: unsupported scheme {_db_url.scheme!r}")
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_db_url.path.lstrip("/")) or "postgres",
        "USER": unquote(_db_url.username or ""),
        "PASSWORD": unquote(_db_url.password or ""),
        "HOST": _db_url.hostname or "",
        "PORT": str(_db_url.port or ""),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATIC_ROOT = STATE_DIR / "static"

# django-ca: private keys go to the "django-ca" storage alias (StoragesBackend, the default key backend).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "django-ca": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(STATE_DIR / "ca"),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
CA_DIR = str(STATE_DIR / "ca")  # legacy name, kept for older versions
CA_DEFAULT_HOSTNAME = "ca.example.com"
CA_USE_CELERY = False
# ACME stays off for the benchmarks; make-installation.py sets PEER_ENABLE_ACME=1 so that init_ca
# accepts --acme-enable and ACME URLs (account kid) can be reversed.
CA_ENABLE_ACME = os.environ.get("PEER_ENABLE_ACME", "") == "1"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
