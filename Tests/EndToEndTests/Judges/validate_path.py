"""Validates a leaf certificate with pyhanko-certvalidator (RFC 5280 path validation) and hard-fail
revocation checking: every certificate's status must be fetched from the CRL and OCSP URLs it carries.

Usage: validate_path.py ROOT.pem INTERMEDIATE.pem LEAF.pem
Prints "valid", "revoked: <reason>" or "invalid: <reason>" and exits 0 (valid), 1 (revoked) or 2 (other).
"""
import asyncio
import sys

from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathValidationError, RevokedError
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend


def load(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


async def validate(root, intermediate, leaf):
    backend = AIOHttpFetcherBackend()
    try:
        context = ValidationContext(
            trust_roots=[root], allow_fetching=True, revocation_mode="hard-fail", fetchers=backend.get_fetchers())
        validator = CertificateValidator(leaf, intermediate_certs=[intermediate], validation_context=context)
        try:
            await validator.async_validate_usage(set())
        except RevokedError as error:
            return 1, f"revoked: {error}"
        except PathValidationError as error:
            return 2, f"invalid: {error}"
        return 0, "valid"
    finally:
        await backend.close()


def main():
    status, message = asyncio.run(validate(*(load(path) for path in sys.argv[1:4])))
    print(message)
    return status


if __name__ == "__main__":
    sys.exit(main())
