"""Validates a leaf certificate with pyhanko-certvalidator (RFC 5280 path validation) and hard-fail
revocation checking: every certificate's status must be fetched from the CRL and OCSP URLs it carries.

Usage: validate_path.py ROOT.pem INTERMEDIATE.pem LEAF.pem
Prints "valid", "revoked: <reason>" or "invalid: <reason>" and exits 0 (valid), 1 (revoked) or 2 (other).
"""
import sys

from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathValidationError, RevokedError


def load(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def main():
    root, intermediate, leaf = (load(path) for path in sys.argv[1:4])
    context = ValidationContext(trust_roots=[root], allow_fetching=True, revocation_mode="hard-fail")
    validator = CertificateValidator(leaf, intermediate_certs=[intermediate], validation_context=context)
    try:
        validator.validate_usage(set())
    except RevokedError as error:
        print(f"revoked: {error}")
        return 1
    except PathValidationError as error:
        print(f"invalid: {error}")
        return 2
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
