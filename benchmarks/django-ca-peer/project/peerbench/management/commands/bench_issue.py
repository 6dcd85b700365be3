"""Bulk issuance through django-ca's own Python API (Certificate.objects.create_cert).

CSRs (P-256, one fresh key each) are generated first and not timed. The timed loop is exactly what
``manage.py sign_cert`` does per certificate: Certificate.objects.create_cert(ca, key_backend_options,
csr, profile=webserver, subject=CN=..., extensions=[SAN]) -- sign + save() in autocommit mode
(one SQLite transaction per certificate), i.e. django-ca's default behaviour.
"""

import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management.base import BaseCommand
from django.db import transaction

from django_ca.models import Certificate, CertificateAuthority
from django_ca.profiles import profiles


class Command(BaseCommand):
    help = "Time N certificate issuances via Certificate.objects.create_cert()."

    def add_arguments(self, parser):
        parser.add_argument("--ca", required=True, help="CA name")
        parser.add_argument("-n", type=int, default=1000)
        parser.add_argument("--label", default="")
        parser.add_argument("--atomic", action="store_true", help="wrap the whole loop in one transaction")

    def handle(self, *args, ca, n, label, atomic, **options):
        ca_obj = CertificateAuthority.objects.get(name=ca)
        # Same calls sign_cert makes (management/mixins.py get_signing_options):
        key_backend_options = ca_obj.key_backend.get_use_private_key_options(ca_obj, {})
        algorithm = ca_obj.key_backend.validate_signature_hash_algorithm(
            ca_obj.key_type, None, default=ca_obj.algorithm
        )
        ca_obj.check_usable(key_backend_options)
        profile = profiles["webserver"]

        # --- untimed: N P-256 CSRs, subjects and SAN extensions
        t0 = time.perf_counter()
        work = []
        for i in range(n):
            host = f"host{i}.example.com"
            key = ec.generate_private_key(ec.SECP256R1())
            csr = (
                x509.CertificateSigningRequestBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
                .sign(key, hashes.SHA256())
            )
            subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
            san = x509.Extension(
                oid=x509.oid.ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
                critical=False,
                value=x509.SubjectAlternativeName([x509.DNSName(host)]),
            )
            work.append((csr, subject, san))
        prep = time.perf_counter() - t0

        before = Certificate.objects.count()
        t0 = time.perf_counter()
        ctx = transaction.atomic() if atomic else _Null()
        with ctx:
            for csr, subject, san in work:
                Certificate.objects.create_cert(
                    ca_obj, key_backend_options, csr,
                    profile=profile, subject=subject, extensions=[san], algorithm=algorithm,
                )
        elapsed = time.perf_counter() - t0
        after = Certificate.objects.count()
        assert after - before == n, (before, after)
        # sanity: the last cert verifies against the CA
        last = Certificate.objects.order_by("-pk").first()
        last.pub.loaded.verify_directly_issued_by(ca_obj.pub.loaded)
        self.stdout.write(
            f"{label}: N={n} issued+stored in {elapsed:.3f} s = {n / elapsed:.1f} certs/s "
            f"({elapsed / n * 1000:.2f} ms/cert; CSR prep untimed {prep:.1f} s; "
            f"{'one transaction' if atomic else 'autocommit per cert'})"
        )


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
