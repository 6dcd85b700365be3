#!/usr/bin/env python3
"""Build a real django-ca 3.2 installation (database + key storage) as an import fixture for swift-ca.

Run it with the peer venv's Python (benchmarks/django-ca-peer/setup.sh creates it):

    venv/bin/python make-installation.py --state DIR [--postgres postgres://USER@HOST:PORT/DBNAME] [--bulk N]

Everything is created through django-ca's own management commands (migrate, init_ca, sign_cert,
revoke_cert, edit_ca, dump_crl, view_cert, view_ca); what has no (working) command is done with
django-ca's model methods / the Django ORM inside `manage.py shell -c`: the API flag, revoking a CA,
ACME accounts/orders, and OCSP-key/CRL renewal (generate_ocsp_keys and generate_crls crash in 3.2.0
when Celery is not installed). Afterwards DIR/expected.json describes what an importer must find.
Refuses to run if DIR (or the PostgreSQL database) already holds an installation.

`--bulk N` (for import benchmarks at 10,000+ certificates) then adds N webserver certificates
bulk-00001.example.com ... issued by "Fixture Root RSA": signed with cryptography in one `manage.py shell`
process with the root's key (loaded through django-ca's key backend) and inserted with
`Certificate.objects.bulk_create()` in batches of 1000. All share one EC P-256 subject key
(leaf/bulk.key); serials are random, every 10th is revoked (key_compromise) and every 100th has its own
watcher. Their extensions are those of the fixture's root-issued webserver certificate (made by
sign_cert), with their own SubjectAlternativeName. expected.json lists them only in "bulk" (count,
revoked, a few samples); "certificates"/"watchers" stay the normal fixture, "counts" include them.

Layout of DIR:
    db.sqlite3          the database (SQLite mode only)
    ca/                 the "django-ca" storage (STORAGES["django-ca"]): ca/<serial>.key, ocsp/<serial>*.key
    leaf/               leaf private keys and CSRs (openssl req), not part of the installation;
                        leaf/bulk.key is the subject key shared by all --bulk certificates
    acme/               ACME account private keys (PEM) + public JWKs, not part of the installation
    crl/                CRLs written by dump_crl
    expected.json       what the installation contains

Passwords are fixed (see PASSWORDS); serials, keys and ACME slugs of random origin are recorded in
expected.json. Uses only the standard library, django-ca and its dependencies (cryptography, josepy).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "project"
PY = sys.executable

PASSWORDS = {"intermediate-ec": "fixture-intermediate-password"}
COMPROMISED = "2024-01-02T03:04:05+00:00"  # fixed, tz-aware, in the past
HOSTNAME = "ca.example.com"  # CA_DEFAULT_HOSTNAME in peer/settings.py
ACME_BASE = f"https://{HOSTNAME}"  # scheme+host used for ACME account URLs (kid)


class Builder:
    def __init__(self, state: Path, postgres: str | None, verbose: bool, bulk: int = 0) -> None:
        self.state = state
        self.bulk = bulk
        self.postgres = postgres
        self.verbose = verbose
        self.env = dict(os.environ)
        self.env.update(
            PEER_STATE_DIR=str(state),
            DJANGO_SETTINGS_MODULE="peer.settings",
            PEER_ENABLE_ACME="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        self.env.pop("PEER_DATABASE_URL", None)
        if postgres:
            self.env["PEER_DATABASE_URL"] = postgres
        self.commands: list[list[str]] = []  # manage.py invocations, recorded in expected.json

    # ---- helpers -------------------------------------------------------------------------------
    def manage(self, *args: str) -> str:
        cmd = [PY, "manage.py", *args]
        self.commands.append(list(args))
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=PROJECT, env=self.env, capture_output=True, text=True)
        if self.verbose:
            print(f"  {time.monotonic() - t0:5.2f}s manage.py {' '.join(args)[:150]}", file=sys.stderr)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {proc.returncode}")
        # Some commands log through Python logging to stderr; surface tracebacks (generate_* swallow errors).
        if "Traceback" in proc.stderr or "ERROR" in proc.stderr:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"manage.py {' '.join(args)} logged an error")
        return proc.stdout

    def shell(self, label: str, code: str, params: dict) -> None:
        """Run ORM code in `manage.py shell -c`; `params` are passed as JSON in FIXTURE_PARAMS."""
        self.env["FIXTURE_PARAMS"] = json.dumps(params)
        try:
            self.manage("shell", "--no-imports", "-v", "0", "-c", code)
        finally:
            self.env.pop("FIXTURE_PARAMS", None)
        self.commands[-1] = ["shell", "-c", f"<{label}>"]

    def init_ca(self, name: str, subject: str, *options: str) -> dict:
        out = self.manage("init_ca", "--output-format", "json", *options, name, subject)
        data = json.loads(out)
        return {"name": name, "serial": data["certificate"]["serial"], "init_ca": data}

    def sign(self, ca_serial: str, cn: str, csr: Path, profile: str, *options: str) -> str:
        out = self.manage(
            "sign_cert", "--ca", ca_serial, "--csr", str(csr), f"--{profile}",
            "--subject", f"CN={cn}", "--subject-alternative-name", cn, "--output-format", "json", *options,
        )  # fmt: skip
        return json.loads(out)["certificate"]["serial"]

    def make_csr(self, name: str, cn: str, key: str) -> Path:
        keyfile, csrfile = self.state / "leaf" / f"{name}.key", self.state / "leaf" / f"{name}.csr"
        newkey = {
            "ec": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "rsa": ["-newkey", "rsa:2048"],
            "ed25519": ["-newkey", "ed25519"],
        }[key]
        subprocess.run(
            ["openssl", "req", "-new", *newkey, "-nodes", "-keyout", str(keyfile), "-out", str(csrfile),
             "-subj", f"/CN={cn}"],
            check=True, capture_output=True,
        )  # fmt: skip
        return csrfile

    # ---- the build -----------------------------------------------------------------------------
    def check_empty(self) -> None:
        if (self.state / "db.sqlite3").exists() or (self.state / "expected.json").exists():
            raise SystemExit(f"{self.state}: already contains an installation (db.sqlite3/expected.json)")
        if (self.state / "ca").exists() and any((self.state / "ca").iterdir()):
            raise SystemExit(f"{self.state}/ca: key storage is not empty")
        if self.postgres:
            self.prepare_postgres()

    def prepare_postgres(self) -> None:
        """Create the database if it does not exist; refuse if it already has Django tables."""
        try:
            import psycopg
        except ImportError:
            raise SystemExit("psycopg is not installed in this venv (re-run setup.sh)") from None
        from urllib.parse import unquote, urlsplit

        url = urlsplit(self.postgres)
        dbname = unquote(url.path.lstrip("/"))
        if not dbname:
            raise SystemExit("--postgres URL must name a database: postgres://USER@HOST:PORT/DBNAME")
        conninfo = dict(
            host=url.hostname or "", port=url.port or 5432,
            user=unquote(url.username or ""), password=unquote(url.password or ""),
        )  # fmt: skip
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{dbname}"')
        with psycopg.connect(dbname=dbname, **conninfo) as conn:
            if conn.execute("SELECT to_regclass('public.django_migrations')").fetchone()[0] is not None:
                raise SystemExit(f"{dbname}: database already contains a Django installation")

    def build(self) -> dict:
        t_start = time.monotonic()
        self.check_empty()
        for sub in ("ca", "leaf", "acme", "crl"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)

        self.manage("migrate", "-v", "0")

        # ---- certificate authorities
        cas = {}
        cas["root-rsa"] = self.init_ca(
            "Fixture Root RSA", "CN=Fixture Root RSA,O=swift-ca fixture,C=AT",
            "--key-type", "RSA", "--key-size", "2048", "--path-length", "1",
            "--website", "https://ca.example.com/", "--tos", "https://ca.example.com/tos/",
            "--caa", "ca.example.com",
            "--issuer-alternative-name", "URI:https://ca.example.com/root-rsa/",
            "--policy-identifier", "2.5.29.32.0",
            "--sign-crl-full-name", "http://crl.example.com/root-rsa.crl",
            "--sign-ocsp-responder", "http://ocsp.example.com/root-rsa/",
            "--sign-ca-issuer", "http://ca.example.com/root-rsa.der",
            "--sign-issuer-alternative-name", "URI:https://ca.example.com/root-rsa/",
            "--sign-policy-identifier", "1.3.6.1.4.1.99999.1.1",
            "--sign-certification-practice-statement", "https://ca.example.com/cps/",
            "--sign-user-notice", "swift-ca fixture root policy",
            "--acme-enable", "--acme-contact-optional",
            "--ocsp-responder-key-validity", "5", "--ocsp-response-validity", "3600",
        )  # fmt: skip
        root = cas["root-rsa"]["serial"]
        cas["intermediate-ec"] = self.init_ca(
            "Fixture Intermediate EC", "CN=Fixture Intermediate EC,O=swift-ca fixture,C=AT",
            "--key-type", "EC", "--elliptic-curve", "secp256r1",
            "--password", PASSWORDS["intermediate-ec"], "--parent", root, "--path-length", "0",
            "--policy-identifier", "1.3.6.1.4.1.99999.1.1",
            "--sign-crl-full-name", "http://crl.example.com/intermediate-ec.crl",
            "--sign-ocsp-responder", "http://ocsp.example.com/intermediate-ec/",
            "--sign-ca-issuer", "http://ca.example.com/intermediate-ec.der",
            "--sign-policy-identifier", "2.23.140.1.2.1",
            "--acme-enable", "--acme-contact-required", "--acme-profile", "server",
            "--website", "https://ca.example.com/intermediate/",
        )  # fmt: skip
        inter = cas["intermediate-ec"]["serial"]
        cas["root-ed25519"] = self.init_ca(
            "Fixture Root Ed25519", "CN=Fixture Root Ed25519,O=swift-ca fixture,C=AT",
            "--key-type", "Ed25519", "--path-length", "1", "--ocsp-key-backend", "db",
            "--sign-issuer-alternative-name", "email:pki@example.com",
            "--acme-disable-account-registration",
        )  # fmt: skip
        ed = cas["root-ed25519"]["serial"]
        # (an EC child of the Ed25519 root fails in 3.2: init_ca picks SHA-512 for the parent's signature)
        cas["disabled-ed25519"] = self.init_ca(
            "Fixture Disabled Ed25519", "CN=Fixture Disabled Ed25519,O=swift-ca fixture,C=AT",
            "--key-type", "Ed25519", "--parent", ed, "--path-length", "0", "--no-default-hostname",
        )  # fmt: skip
        disabled = cas["disabled-ed25519"]["serial"]
        cas["revoked-ec"] = self.init_ca(
            "Fixture Revoked Sub EC", "CN=Fixture Revoked Sub EC,O=swift-ca fixture,C=AT",
            "--key-type", "EC", "--elliptic-curve", "secp384r1", "--parent", root,
        )  # fmt: skip
        revoked_ca = cas["revoked-ec"]["serial"]

        # ---- leaf certificates (CSRs from openssl req); name -> spec
        pw = ["--password", PASSWORDS["intermediate-ec"]]
        leaf_specs = [
            # name, ca serial, cn, key type, profile, extra sign_cert options
            ("www1", inter, "www1.example.com", "ec", "webserver",
             [*pw, "--watch", "alice@example.com", "--watch", "Bob Example <bob@example.com>"]),
            ("www2", inter, "www2.example.com", "rsa", "webserver", [*pw, "--watch", "alice@example.com"]),
            ("client1", root, "client1.example.com", "ec", "client", ["--watch", "carol@example.com"]),
            ("server1", root, "server1.example.com", "rsa", "server", []),
            ("server2", ed, "server2.example.com", "ed25519", "server", ["--watch", "dave@example.com"]),
            ("enduser1", inter, "enduser1.example.com", "ec", "enduser", pw),
            ("revoked-keycomp", inter, "revoked-keycomp.example.com", "ec", "webserver",
             [*pw, "--watch", "Bob Example <bob@example.com>"]),
            ("revoked-superseded", root, "revoked-superseded.example.com", "rsa", "client", []),
            ("revoked-hold", ed, "revoked-hold.example.com", "ec", "server", []),
            ("revoked-unspecified", root, "revoked-unspecified.example.com", "ec", "webserver", []),
            ("disabled-leaf", disabled, "disabled-leaf.example.com", "ec", "webserver", []),
            ("acme1", inter, "acme1.example.com", "ec", "server", pw),  # linked to an ACME order below
        ]  # fmt: skip
        leaves = {}
        for name, ca_serial, cn, key, profile, extra in leaf_specs:
            csr = self.make_csr(name, cn, key)
            serial = self.sign(ca_serial, cn, csr, profile, *extra)
            leaves[name] = {
                "serial": serial, "ca_serial": ca_serial, "cn": cn, "profile": profile, "key_type": key,
                "private_key_file": str(self.state / "leaf" / f"{name}.key"), "csr_file": str(csr),
            }  # fmt: skip

        # ---- revocations
        self.manage("revoke_cert", "--reason", "key_compromise", "--compromised", COMPROMISED,
                    leaves["revoked-keycomp"]["serial"])  # fmt: skip
        self.manage("revoke_cert", "--reason", "superseded", leaves["revoked-superseded"]["serial"])
        self.manage("revoke_cert", "--reason", "certificate_hold", leaves["revoked-hold"]["serial"])
        self.manage("revoke_cert", leaves["revoked-unspecified"]["serial"])  # no --reason

        # ---- disable a CA
        self.manage("edit_ca", "--disable", disabled)

        # ---- ORM: API flags (CA_ENABLE_REST_API needs django-ninja, so no --api-enable), revoke a CA
        self.shell(
            "api flags + revoke CA",
            "import json, os\n"
            "from datetime import datetime\n"
            "from cryptography.x509 import ReasonFlags\n"
            "from django_ca.models import CertificateAuthority\n"
            "p = json.loads(os.environ['FIXTURE_PARAMS'])\n"
            "CertificateAuthority.objects.filter(serial__in=p['api']).update(api_enabled=True)\n"
            "ca = CertificateAuthority.objects.get(serial=p['revoke'])\n"
            "ca.revoke(ReasonFlags.ca_compromise, compromised=datetime.fromisoformat(p['compromised']))\n",
            {"api": [root, inter], "revoke": revoked_ca, "compromised": COMPROMISED},
        )

        # ---- OCSP responder keys and CRLs. init_ca already made an OCSP responder certificate and CRL number 0
        # for the "ca" and "user" scopes of every CA. `manage.py generate_ocsp_keys` / `generate_crls` are
        # unusable in django-ca 3.2.0 when Celery is not installed (the task function is stored as a class
        # attribute and gets bound: "generate_crl() takes 1 positional argument but 2 were given"), so the
        # renewals call what those commands' tasks call: ca.generate_ocsp_key() / ca.generate_crls().
        # Forcing an OCSP key renewal makes the storage save the new key under an alternative file name.
        self.shell("RENEW_CODE", RENEW_CODE, {"ocsp": [root, inter, ed], "crl": [root, inter, ed], "crl_rounds": 2,
                                "passwords": {inter: PASSWORDS["intermediate-ec"]}})  # fmt: skip
        # a full-scope CRL (no IssuingDistributionPoint scope flags) and a reason-scoped one
        self.manage("dump_crl", "--ca", root, "-f", "PEM", str(self.state / "crl" / "root-rsa-full.pem"))
        self.manage("dump_crl", "--ca", inter, *pw, "-f", "DER", str(self.state / "crl" / "intermediate-ec-full.der"))
        self.manage("dump_crl", "--ca", inter, *pw, "--only-contains-user-certs",
                    "--only-some-reasons", "key_compromise", str(self.state / "crl" / "intermediate-ec-keycomp.pem"))  # fmt: skip

        # ---- ACME accounts + orders (no command exists): keys generated here, rows via the ORM
        acme = self.make_acme_keys()
        self.shell("ACME_CODE", ACME_CODE, {
            "base": ACME_BASE,
            "accounts": [
                {"slug": "FixtureAcct1", "ca": inter, "pem": acme[0]["public_pem"], "contact": "mailto:acme1@example.com",
                 "tos": True, "orders": [{"slug": "FixtureOrd01", "status": "valid", "cert": leaves["acme1"]["serial"],
                                          "csr": (self.state / "leaf" / "acme1.csr").read_text(),
                                          "authz": [{"slug": "FixtureAuth1", "value": "acme1.example.com", "status": "valid",
                                                     "chall": {"slug": "FixtureChl01", "type": "http-01", "status": "valid"}}]}]},
                {"slug": "FixtureAcct2", "ca": root, "pem": acme[1]["public_pem"], "contact": "",
                 "tos": False, "orders": [{"slug": "FixtureOrd02", "status": "pending", "cert": None, "csr": None,
                                           "authz": [{"slug": "FixtureAuth2", "value": "acme2.example.com", "status": "pending",
                                                      "chall": {"slug": "FixtureChl02", "type": "dns-01", "status": "pending"}}]}]},
            ],
        })  # fmt: skip

        # ---- dump everything as stored, then cross-check PEM against view_cert/view_ca
        dump_file = self.state / "dump.tmp.json"
        self.shell("DUMP_CODE", DUMP_CODE, {"out": str(dump_file)})
        dump = json.loads(dump_file.read_text())
        dump_file.unlink()
        view = self.manage("view_cert", "--output-format", "pem", leaves["www1"]["serial"])
        www1 = next(c for c in dump["certificates"] if c["serial"] == leaves["www1"]["serial"])
        assert view == www1["pem"], "view_cert PEM differs from pub column"
        view = self.manage("view_ca", "--output-format", "pem", inter)
        assert view == next(c for c in dump["cas"] if c["serial"] == inter)["pem"], "view_ca PEM differs"

        expected = self.expected(cas, leaves, acme, dump)
        if self.bulk:
            # after the dump, so that expected["certificates"] keeps describing only the normal fixture
            self.add_bulk(expected, root, leaves["revoked-unspecified"]["serial"])
        expected["build_seconds"] = round(time.monotonic() - t_start, 1)
        (self.state / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=False) + "\n")
        return expected

    def add_bulk(self, expected: dict, root: str, template: str) -> None:
        """Add `self.bulk` webserver certificates issued by the RSA root (see BULK_CODE); update expected."""
        t0 = time.monotonic()
        out_file = self.state / "bulk.tmp.json"
        self.shell("BULK_CODE", BULK_CODE, {
            "count": self.bulk, "ca": root, "template": template, "out": str(out_file),
            "key_file": str(self.state / "leaf" / "bulk.key"), "batch_size": 1000,
            "revoke_every": 10, "watch_every": 100,
        })  # fmt: skip
        bulk = json.loads(out_file.read_text())
        out_file.unlink()
        assert bulk["count"] == self.bulk
        sample = bulk["sample"][0]
        view = self.manage("view_cert", "--output-format", "pem", sample["serial"])
        assert view == sample["pem"], "view_cert PEM differs for a bulk certificate"
        bulk["seconds"] = round(time.monotonic() - t0, 1)
        expected["bulk"] = bulk
        counts = expected["counts"]
        counts["certificates"] += bulk["count"]
        counts["certificates_not_autogenerated"] += bulk["count"]
        counts["revoked_certificates"] += bulk["revoked"]
        counts["watchers"] += bulk["watchers"]
        if self.verbose:
            print(f"  bulk: {bulk['count']} certificates ({bulk['revoked']} revoked, {bulk['watchers']} watchers) "
                  f"in {bulk['seconds']:.1f} s (signing {bulk['sign_seconds']:.1f} s, "
                  f"inserting {bulk['insert_seconds']:.1f} s)", file=sys.stderr)  # fmt: skip

    def make_acme_keys(self) -> list[dict]:
        import josepy as jose
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        accounts = []
        for i in (1, 2):
            key = ec.generate_private_key(ec.SECP256R1())
            path = self.state / "acme" / f"account{i}.key.pem"
            path.write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
            jwk = jose.JWKEC(key=key.public_key())
            # exactly what AcmeNewAccountView stores: SPKI PEM without trailing newline + RFC 7638 thumbprint
            public_pem = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode().strip()  # fmt: skip
            (self.state / "acme" / f"account{i}.jwk.json").write_text(json.dumps(jwk.to_json()) + "\n")
            accounts.append({
                "private_key_file": str(path), "jwk": jwk.to_json(), "public_pem": public_pem,
                "thumbprint": jose.json_util.encode_b64jose(jwk.thumbprint()),
            })  # fmt: skip
        return accounts

    def expected(self, cas: dict, leaves: dict, acme: list, dump: dict) -> dict:
        storage = self.state / "ca"
        by_serial_ca = {c["serial"]: c for c in dump["cas"]}
        ca_names = {v["serial"]: k for k, v in cas.items()}
        leaf_names = {v["serial"]: k for k, v in leaves.items()}

        out_cas = []
        for ca in dump["cas"]:
            key = ca["key"]
            fixture = ca_names[ca["serial"]]
            ca["fixture_name"] = fixture
            ca["key_file"] = str(storage / ca["key_backend_options"]["path"])
            ca["key_password"] = PASSWORDS.get(fixture)
            ca["key_encrypted"] = fixture in PASSWORDS
            ca["ocsp_responder"] = self.ocsp_info(ca, storage)
            crls = [c for c in dump["crls"] if c["ca_serial"] == ca["serial"]]
            ca["last_crl_numbers"] = {}
            for crl in crls:
                scope = crl["scope"]
                ca["last_crl_numbers"][scope] = max(ca["last_crl_numbers"].get(scope, -1), crl["number"])
            assert key["type"] in ("RSA", "EC", "Ed25519")
            out_cas.append(ca)

        for cert in dump["certificates"]:
            name = leaf_names.get(cert["serial"])
            cert["fixture_name"] = name
            if name:
                cert["private_key_file"] = leaves[name]["private_key_file"]
                cert["csr_file"] = leaves[name]["csr_file"]
                assert cert["profile"] == leaves[name]["profile"], (name, cert["profile"])

        for account, keys in zip(dump["acme_accounts"], acme):
            assert account["thumbprint"] == keys["thumbprint"]
            account["private_key_file"] = keys["private_key_file"]
            account["jwk"] = keys["jwk"]
            account["account_url"] = account["kid"]

        current_ocsp = [c["ocsp_responder"]["certificate_serial"] for c in out_cas if c["ocsp_responder"]]
        return {
            "generator": "benchmarks/django-ca-peer/make-installation.py",
            "django_ca_version": dump["versions"]["django_ca"],
            "versions": dump["versions"],
            "database": (
                {"engine": "postgresql", "url": self.postgres}
                if self.postgres
                else {"engine": "sqlite", "path": str(self.state / "db.sqlite3")}
            ),
            "storage_location": str(storage),
            "migrations": dump["migrations"],
            "passwords": PASSWORDS,
            "compromised_timestamp": COMPROMISED,
            "certificate_authorities": out_cas,
            "certificates": dump["certificates"],
            "watchers": dump["watchers"],
            "crls": dump["crls"],
            "ocsp_responder_certificates": {
                "current": current_ocsp,
                "all": [c["serial"] for c in dump["certificates"] if c["profile"] == "ocsp"],
            },
            "acme_accounts": dump["acme_accounts"],
            "counts": {
                "certificate_authorities": len(out_cas),
                "certificates": len(dump["certificates"]),
                "certificates_not_autogenerated": sum(1 for c in dump["certificates"] if not c["autogenerated"]),
                "revoked_certificates": sum(1 for c in dump["certificates"] if c["revoked"]),
                "watchers": len(dump["watchers"]),
                "crls": len(dump["crls"]),
                "acme_accounts": len(dump["acme_accounts"]),
                "acme_orders": sum(len(a["orders"]) for a in dump["acme_accounts"]),
            },
            "manage_commands": self.commands,
        }

    @staticmethod
    def ocsp_info(ca: dict, storage: Path) -> dict | None:
        opts = ca["ocsp_key_backend_options"]
        cert = opts.get("certificate", {})
        if "pem" not in cert:
            return None
        info = {
            "backend_alias": ca["ocsp_key_backend_alias"],
            "certificate_serial": ca["ocsp_certificate_serial"],
            "certificate_pk": cert.get("pk"),
            "certificate_pem": cert["pem"],
        }
        pk = opts.get("private_key", {})
        if "path" in pk:  # storages OCSP backend: encrypted PKCS#8 DER file, random password in the DB (base64)
            info["key_file"] = str(storage / pk["path"])
            info["key_password_base64"] = pk.get("password")
        if "pem" in pk:  # db OCSP backend: unencrypted PKCS#8 PEM in the JSON column
            info["key_pem_in_database"] = True
        return info


# Executed inside `manage.py shell -c` (Django set up; FIXTURE_PARAMS holds the parameters).
RENEW_CODE = r"""
import json, os
from django_ca.models import CertificateAuthority

p = json.loads(os.environ["FIXTURE_PARAMS"])

def key_options(ca):
    raw = {}
    if ca.serial in p["passwords"]:
        raw["password"] = p["passwords"][ca.serial].encode()
    return ca.key_backend.get_use_private_key_options(ca, raw)

for serial in p["ocsp"]:
    ca = CertificateAuthority.objects.get(serial=serial)
    assert ca.generate_ocsp_key(key_options(ca), force=True) is not None
for _ in range(p["crl_rounds"]):
    for serial in p["crl"]:
        ca = CertificateAuthority.objects.get(serial=serial)
        ca.generate_crls(key_options(ca), force=True)
"""

ACME_CODE = r"""
import json, os
from datetime import timedelta
from django.urls import reverse
from django.utils import timezone
from django_ca.models import (AcmeAccount, AcmeAuthorization, AcmeCertificate, AcmeChallenge, AcmeOrder,
                              Certificate, CertificateAuthority)
import josepy as jose
from cryptography.hazmat.primitives.serialization import load_pem_public_key

p = json.loads(os.environ["FIXTURE_PARAMS"])
for spec in p["accounts"]:
    ca = CertificateAuthority.objects.get(serial=spec["ca"])
    jwk = jose.JWKEC(key=load_pem_public_key(spec["pem"].encode()))
    account = AcmeAccount(
        ca=ca, slug=spec["slug"], pem=spec["pem"], contact=spec["contact"], status=AcmeAccount.STATUS_VALID,
        terms_of_service_agreed=spec["tos"], thumbprint=jose.json_util.encode_b64jose(jwk.thumbprint()),
    )
    account.kid = p["base"] + reverse("django_ca:acme-account", kwargs={"slug": account.slug, "serial": ca.serial})
    account.full_clean()
    account.save()
    for o in spec["orders"]:
        order = AcmeOrder.objects.create(account=account, slug=o["slug"], status=o["status"])
        if o["cert"]:
            cert = Certificate.objects.get(serial=o["cert"])
            order.not_before, order.not_after = cert.not_before, cert.not_after
            order.save()
            AcmeCertificate.objects.create(order=order, cert=cert, csr=o["csr"])
        for a in o["authz"]:
            authz = AcmeAuthorization.objects.create(order=order, slug=a["slug"], value=a["value"], status=a["status"])
            c = a["chall"]
            AcmeChallenge.objects.create(auth=authz, slug=c["slug"], type=c["type"], status=c["status"],
                                         validated=timezone.now() if c["status"] == "valid" else None)
"""

# --bulk: sign and bulk-insert many leaf certificates in one process (see Builder.add_bulk).
BULK_CODE = r"""
import json, os, time
from django.db import transaction
from django.utils import timezone
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID
from django_ca.conf import model_settings
from django_ca.modelfields import LazyCertificate
from django_ca.models import Certificate, CertificateAuthority, Watcher
from django_ca.utils import int_to_hex

p = json.loads(os.environ["FIXTURE_PARAMS"])
count = p["count"]
ca = CertificateAuthority.objects.get(serial=p["ca"])
# the CA key through django-ca's key backend (unencrypted root: no password option)
ca_key = ca.key_backend.get_key(ca, ca.key_backend.get_use_private_key_options(ca, {}))
issuer = ca.pub.loaded.subject

# One subject key for all certificates (written to leaf/bulk.key, PKCS#8 PEM, for TLS tests).
subject_key = ec.generate_private_key(ec.SECP256R1())
with open(p["key_file"], "wb") as stream:
    stream.write(subject_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
public_key = subject_key.public_key()

# Extensions as sign_cert --webserver gave the template certificate (same CA, same profile, an EC key):
# AKI, BasicConstraints, KeyUsage, ExtendedKeyUsage and the CA's sign_* extensions; own SKI and SAN.
template = Certificate.objects.get(serial=p["template"])
assert template.ca_id == ca.pk and template.profile == "webserver", "bulk template must be a webserver leaf of the CA"
tmpl = template.pub.loaded
algorithm = tmpl.signature_hash_algorithm
ski = x509.SubjectKeyIdentifier.from_public_key(public_key)
fixed = []  # (value, critical) in the template's order; None marks where the SAN goes
for ext in tmpl.extensions:
    if ext.oid == ExtensionOID.SUBJECT_ALTERNATIVE_NAME:
        fixed.append(None)
    elif ext.oid == ExtensionOID.SUBJECT_KEY_IDENTIFIER:
        fixed.append((ski, ext.critical))
    else:
        fixed.append((ext.value, ext.critical))
san_critical = tmpl.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).critical

# Validity like get_cert_builder(): whole minutes, CA_DEFAULT_EXPIRES
not_before = timezone.now().replace(second=0, microsecond=0)
not_after = not_before + model_settings.CA_DEFAULT_EXPIRES
base = (x509.CertificateBuilder().issuer_name(issuer).public_key(public_key)
        .not_valid_before(not_before).not_valid_after(not_after))

used = set(Certificate.objects.values_list("serial", flat=True))
width = max(5, len(str(count)))
revoked_date = timezone.now()
sign_seconds = insert_seconds = 0.0
sample_at = {1, p["revoke_every"], p["watch_every"], count}
sample, watched = [], []
revoked = 0
with transaction.atomic():
    for start in range(1, count + 1, p["batch_size"]):
        t0 = time.monotonic()
        batch = []
        for i in range(start, min(start + p["batch_size"], count + 1)):
            serial = x509.random_serial_number()
            while int_to_hex(serial) in used:
                serial = x509.random_serial_number()
            hex_serial = int_to_hex(serial)
            used.add(hex_serial)
            cn = f"bulk-{i:0{width}d}.example.com"
            builder = base.serial_number(serial).subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            for ext in fixed:
                if ext is None:
                    builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), san_critical)
                else:
                    builder = builder.add_extension(ext[0], ext[1])
            cert = builder.sign(ca_key, algorithm)
            der = cert.public_bytes(serialization.Encoding.DER)
            is_revoked = i % p["revoke_every"] == 0
            revoked += is_revoked
            if i % p["watch_every"] == 0:
                watched.append((hex_serial, f"bulk-watcher-{i:0{width}d}@example.com", f"Bulk Watcher {i:0{width}d}"))
            if i in sample_at:
                sample.append({"serial": hex_serial, "cn": cn, "revoked": is_revoked,
                               "revoked_reason": "key_compromise" if is_revoked else "",
                               "watchers": [watched[-1][1]] if i % p["watch_every"] == 0 else [],
                               "pem": cert.public_bytes(serialization.Encoding.PEM).decode()})
            batch.append(Certificate(
                ca=ca, pub=LazyCertificate(der), cn=cn, serial=hex_serial, not_before=not_before, not_after=not_after,
                profile="webserver", autogenerated=False, csr=None, revoked=is_revoked,
                revoked_date=revoked_date if is_revoked else None, revoked_reason="key_compromise" if is_revoked else "",
            ))
        t1 = time.monotonic()
        Certificate.objects.bulk_create(batch, batch_size=p["batch_size"])
        sign_seconds += t1 - t0
        insert_seconds += time.monotonic() - t1

    # one watcher of its own for every watch_every-th certificate
    t1 = time.monotonic()
    Watcher.objects.bulk_create([Watcher(mail=mail, name=name) for _, mail, name in watched], batch_size=p["batch_size"])
    # ids looked up rather than taken from bulk_create (not every backend returns them)
    watcher_ids = dict(Watcher.objects.filter(mail__startswith="bulk-watcher-").values_list("mail", "pk"))
    cert_ids = {}
    for start in range(0, len(watched), p["batch_size"]):
        chunk = [s for s, _, _ in watched[start:start + p["batch_size"]]]
        cert_ids.update(Certificate.objects.filter(serial__in=chunk).values_list("serial", "pk"))
    Through = Certificate.watchers.through
    Through.objects.bulk_create([Through(certificate_id=cert_ids[s], watcher_id=watcher_ids[m]) for s, m, _ in watched],
                                batch_size=p["batch_size"])
    insert_seconds += time.monotonic() - t1

with open(p["out"], "w") as stream:
    json.dump({
        "count": count, "revoked": revoked, "revoked_reason": "key_compromise", "watchers": len(watched),
        "ca_serial": ca.serial, "profile": "webserver", "cn_format": f"bulk-<{width} digits>.example.com",
        "private_key_file": p["key_file"], "not_before": not_before.isoformat(), "not_after": not_after.isoformat(),
        "revoked_date": revoked_date.isoformat(), "sign_seconds": round(sign_seconds, 2),
        "insert_seconds": round(insert_seconds, 2), "sample": sample,
    }, stream)
"""

DUMP_CODE = r"""
import json, os, hashlib
import django, django_ca, cryptography
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django_ca.models import (AcmeAccount, Certificate, CertificateAuthority, CertificateRevocationList, Watcher)

p = json.loads(os.environ["FIXTURE_PARAMS"])
iso = lambda d: d.isoformat() if d is not None else None

from django_ca.pydantic.certificate import DjangoCertificateAuthorityModel, DjangoCertificateModel


def api_model(obj):
    # What django-ca's own REST API answers for this object (its pydantic model, as JSON).
    model = DjangoCertificateAuthorityModel if isinstance(obj, CertificateAuthority) else DjangoCertificateModel
    return model.model_validate(obj).model_dump(mode="json")


def x509_common(obj):
    loaded = obj.pub.loaded
    return {
        "api_model": api_model(obj),
        "id": obj.pk, "serial": obj.serial, "cn": obj.cn, "subject": loaded.subject.rfc4514_string(),
        "issuer": loaded.issuer.rfc4514_string(), "pem": obj.pub.pem,
        "der_sha256": hashlib.sha256(obj.pub.der).hexdigest(),
        "not_before": iso(obj.not_before), "not_after": iso(obj.not_after),
        "revoked": obj.revoked, "revoked_reason": obj.revoked_reason, "revoked_date": iso(obj.revoked_date),
        "compromised": iso(obj.compromised), "created": iso(obj.created),
    }

def key_info(pub):
    if isinstance(pub, rsa.RSAPublicKey):
        return {"type": "RSA", "size": pub.key_size}
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return {"type": "EC", "curve": pub.curve.name}
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return {"type": "Ed25519"}
    return {"type": type(pub).__name__}

def scope(crl):
    if crl.only_contains_ca_certs: s = "ca"
    elif crl.only_contains_user_certs: s = "user"
    elif crl.only_contains_attribute_certs: s = "attribute"
    else: s = "all"
    if crl.only_some_reasons: s += "+" + ",".join(sorted(r.name for r in crl.only_some_reasons))
    return s

# raw JSON of the sign_* columns exactly as stored
sign_cols = ["sign_authority_information_access", "sign_certificate_policies", "sign_crl_distribution_points",
             "sign_issuer_alternative_name", "key_backend_options", "ocsp_key_backend_options"]
with connection.cursor() as cursor:
    cursor.execute("SELECT serial, " + ", ".join(sign_cols) + " FROM django_ca_certificateauthority")
    raw = {}
    for row in cursor.fetchall():
        raw[row[0]] = {c: (json.loads(v) if isinstance(v, str) else v) for c, v in zip(sign_cols, row[1:])}

cas = []
for ca in CertificateAuthority.objects.order_by("pk").select_related("parent"):
    d = x509_common(ca)
    ocsp_pem = ca.ocsp_key_backend_options.get("certificate", {}).get("pem")
    d.update({
        "name": ca.name, "parent_serial": ca.parent.serial if ca.parent else None, "enabled": ca.enabled,
        "key": key_info(ca.pub.loaded.public_key()),
        "key_backend_alias": ca.key_backend_alias, "ocsp_key_backend_alias": ca.ocsp_key_backend_alias,
        "acme_enabled": ca.acme_enabled, "acme_registration": ca.acme_registration,
        "acme_requires_contact": ca.acme_requires_contact, "acme_profile": ca.acme_profile,
        "api_enabled": ca.api_enabled, "website": ca.website, "terms_of_service": ca.terms_of_service,
        "caa_identity": ca.caa_identity, "ocsp_responder_key_validity": ca.ocsp_responder_key_validity,
        "ocsp_response_validity": ca.ocsp_response_validity,
        "ocsp_certificate_serial": (
            format(x509.load_pem_x509_certificate(ocsp_pem.encode()).serial_number, "X") if ocsp_pem else None),
    })
    d.update(raw[ca.serial])
    cas.append(d)

certs = []
for cert in Certificate.objects.order_by("pk").select_related("ca").prefetch_related("watchers"):
    d = x509_common(cert)
    d.update({
        "ca_serial": cert.ca.serial, "profile": cert.profile, "autogenerated": cert.autogenerated,
        "watchers": sorted(w.mail for w in cert.watchers.all()), "has_csr": cert.csr is not None,
        "key": key_info(cert.pub.loaded.public_key()),
    })
    certs.append(d)

watchers = [{"id": w.pk, "name": w.name, "mail": w.mail,
             "certificates": sorted(c.serial for c in w.certificates.all())} for w in Watcher.objects.order_by("pk")]

crls = []
for crl in CertificateRevocationList.objects.order_by("pk").select_related("ca"):
    crls.append({
        "id": crl.pk, "ca_serial": crl.ca.serial, "number": crl.number, "scope": scope(crl),
        "only_contains_ca_certs": crl.only_contains_ca_certs, "only_contains_user_certs": crl.only_contains_user_certs,
        "only_contains_attribute_certs": crl.only_contains_attribute_certs,
        "only_some_reasons": sorted(r.name for r in crl.only_some_reasons) if crl.only_some_reasons else None,
        "last_update": iso(crl.last_update), "next_update": iso(crl.next_update),
        "der_sha256": hashlib.sha256(bytes(crl.data)).hexdigest() if crl.data is not None else None,
        "revoked_serials": sorted(format(r.serial_number, "X") for r in crl.loaded),
    })

accounts = []
for acc in AcmeAccount.objects.order_by("pk").select_related("ca"):
    orders = []
    for order in acc.orders.order_by("pk"):
        cert = getattr(order, "acmecertificate", None)
        orders.append({
            "slug": order.slug, "status": order.status, "expires": iso(order.expires),
            "certificate_serial": cert.cert.serial if cert is not None and cert.cert is not None else None,
            "authorizations": [
                {"slug": a.slug, "type": a.type, "value": a.value, "status": a.status,
                 "challenges": [{"slug": c.slug, "type": c.type, "status": c.status, "token": c.token}
                                for c in a.challenges.order_by("pk")]}
                for a in order.authorizations.order_by("pk")],
        })
    accounts.append({
        "id": acc.pk, "slug": acc.slug, "kid": acc.kid, "ca_serial": acc.ca.serial, "pem": acc.pem,
        "thumbprint": acc.thumbprint, "status": acc.status, "contact": acc.contact,
        "terms_of_service_agreed": acc.terms_of_service_agreed, "created": iso(acc.created), "orders": orders,
    })

applied = [name for (app, name) in MigrationRecorder(connection).applied_migrations() if app == "django_ca"]
migrations = {
    "django_ca_applied": sorted(applied),
    "latest": max(n for n in applied if not n.startswith("0001_squashed")),
}
versions = {"django_ca": django_ca.__version__, "django": django.get_version(),
            "cryptography": cryptography.__version__, "database_vendor": connection.vendor}
with open(p["out"], "w") as stream:
    json.dump({"cas": cas, "certificates": certs, "watchers": watchers, "crls": crls, "acme_accounts": accounts,
               "migrations": migrations, "versions": versions}, stream)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", required=True, type=Path, help="directory for the installation (created)")
    parser.add_argument("--postgres", metavar="URL", help="postgres://USER[:PW]@HOST:PORT/DBNAME instead of SQLite")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print each manage.py command")
    parser.add_argument("--bulk", metavar="N", type=int, default=0,
                        help="afterwards add N extra webserver certificates of the RSA root (bulk_create)")
    args = parser.parse_args()
    if args.bulk < 0:
        parser.error("--bulk must not be negative")
    try:
        import django_ca  # noqa: F401
    except ImportError:
        raise SystemExit("run this with the peer venv: benchmarks/django-ca-peer/venv/bin/python") from None

    state = args.state.resolve()
    t0 = time.monotonic()
    expected = Builder(state, args.postgres, verbose=not args.quiet, bulk=args.bulk).build()
    counts = ", ".join(f"{k}={v}" for k, v in expected["counts"].items())
    print(f"{state}: django-ca {expected['django_ca_version']} installation "
          f"({expected['database']['engine']}) built in {time.monotonic() - t0:.1f} s; {counts}")


if __name__ == "__main__":
    main()
