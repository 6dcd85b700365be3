"""Drives swift-ca's ACME account resources with certbot's own ACME library (`acme`, with josepy).

Usage: acme_account.py DIRECTORY_URL KEY_TYPE
Creates an account with a contact and agreement to the terms, looks it up again by key
(onlyReturnExisting), fetches it, changes its contact, replays a nonce, and deactivates it.
Prints one line per step ("step: result") and exits non-zero on the first unexpected answer.
"""
import sys

import josepy as jose
from acme import client, errors, messages
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def make_key(kind):
    if kind == "EC":
        return jose.JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    return jose.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))


def main():
    directory_url, kind = sys.argv[1], sys.argv[2]
    key = make_key(kind)
    algorithm = jose.ES256 if kind == "EC" else jose.RS256
    network = client.ClientNetwork(key, alg=algorithm, user_agent="swift-ca-tests", verify_ssl=False)
    directory = client.ClientV2.get_directory(directory_url, network)
    acme = client.ClientV2(directory, network)
    print(f"directory: {sorted(directory.to_partial_json().keys())}")

    registration = acme.new_account(messages.NewRegistration.from_data(
        email="admin@example.com", terms_of_service_agreed=True))
    print(f"new-account: {registration.body.status} {list(registration.body.contact)} {registration.uri}")

    # The same key again: the existing account, not a second one (RFC 8555 §7.3.1).
    network_again = client.ClientNetwork(key, alg=algorithm, user_agent="swift-ca-tests", verify_ssl=False)
    acme_again = client.ClientV2(directory, network_again)
    try:
        existing = acme_again.new_account(messages.NewRegistration(only_return_existing=True))
        print(f"only-return-existing: {existing.uri == registration.uri}")
    except errors.ConflictError as conflict:
        print(f"only-return-existing: {conflict.location == registration.uri}")

    queried = acme.query_registration(registration)
    print(f"query: {queried.body.status} {list(queried.body.contact)}")

    updated = acme.update_registration(registration, messages.Registration(contact=("mailto:ops@example.com",)))
    print(f"update: {list(updated.body.contact)}")

    # A nonce is good once: the same signed request sent twice must be refused the second time.
    nonce = network._get_nonce(registration.uri, directory["newNonce"])
    body = network._wrap_in_jws(messages.Registration(), nonce, registration.uri)
    headers = {"Content-Type": "application/jose+json"}
    first = network.session.post(registration.uri, data=body, headers=headers)
    second = network.session.post(registration.uri, data=body, headers=headers)
    print(f"replay: {first.status_code} then {second.status_code} {second.json().get('type')}")

    deactivated = acme.deactivate_registration(updated)
    print(f"deactivate: {deactivated.body.status}")
    try:
        acme.query_registration(registration)
        print("after-deactivation: accepted")
    except messages.Error as error:
        print(f"after-deactivation: {error.typ}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
