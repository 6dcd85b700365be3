"""Finds an ACME account that django-ca created, by its key, with certbot's own ACME library.

Usage: acme_existing_account.py DIRECTORY_URL ACCOUNT_KEY_PEM
Sends newAccount with onlyReturnExisting (RFC 8555 §7.3.1) signed by the account's key, then fetches the
account it was pointed to. Prints "account: URL" and "status: STATUS"; exits non-zero when no account is found.
"""
import sys

import josepy as jose
from acme import client, errors, messages
from cryptography.hazmat.primitives import serialization


def main():
    directory_url, key_file = sys.argv[1], sys.argv[2]
    with open(key_file, "rb") as stream:
        private_key = serialization.load_pem_private_key(stream.read(), password=None)
    key = jose.JWKEC(key=private_key)
    network = client.ClientNetwork(key, alg=jose.ES256, user_agent="swift-ca-tests", verify_ssl=False)
    directory = client.ClientV2.get_directory(directory_url, network)
    acme = client.ClientV2(directory, network)
    try:
        registration = acme.new_account(messages.NewRegistration(only_return_existing=True))
        url = registration.uri
    except errors.ConflictError as conflict:
        url = conflict.location
    except messages.Error as error:
        print(f"refused: {error.typ} {error.detail}")
        return 1
    print(f"account: {url}")
    queried = acme.query_registration(messages.RegistrationResource(uri=url, body=messages.Registration()))
    print(f"status: {queried.body.status} {list(queried.body.contact)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
