"""Signed ACME requests sent by hand, with certbot's ACME library (`acme`) for keys, accounts and signatures.

Usage: acme_raw_requests.py send DIRECTORY_URL SAVED_FILE
         creates an account, signs a POST-as-GET of it with a fresh nonce, sends it once and saves URL and
         body to SAVED_FILE; prints "send: STATUS".
       acme_raw_requests.py replay SAVED_FILE
         sends the saved body to the saved URL again; prints "replay: STATUS TYPE".
       acme_raw_requests.py orders DIRECTORY_URL COUNT
         creates an account and sends COUNT newOrder requests; prints "order N: STATUS TYPE RETRY-AFTER" for each.
The nonce test kills the server between send and replay, to show that a nonce's use outlives the process.
"""
import json
import sys

import josepy as jose
import requests
from acme import client, messages
from cryptography.hazmat.primitives.asymmetric import ec

HEADERS = {"Content-Type": "application/jose+json"}


def new_account(directory_url):
    """A fresh P-256 account: the signing client, the directory and the registration."""
    key = jose.JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    network = client.ClientNetwork(key, alg=jose.ES256, user_agent="swift-ca-tests", verify_ssl=False)
    directory = client.ClientV2.get_directory(directory_url, network)
    acme = client.ClientV2(directory, network)
    registration = acme.new_account(messages.NewRegistration.from_data(terms_of_service_agreed=True))
    network.account = registration
    return network, directory, registration


def send(directory_url, saved_file):
    network, directory, registration = new_account(directory_url)
    nonce = network._get_nonce(registration.uri, directory["newNonce"])
    body = network._wrap_in_jws(messages.Registration(), nonce, registration.uri)
    with open(saved_file, "w") as file:
        json.dump({"url": registration.uri, "body": body}, file)
    answer = requests.post(registration.uri, data=body, headers=HEADERS, timeout=30)
    print(f"send: {answer.status_code}", flush=True)


def replay(saved_file):
    with open(saved_file) as file:
        saved = json.load(file)
    answer = requests.post(saved["url"], data=saved["body"], headers=HEADERS, timeout=30)
    problem = answer.json().get("type") if answer.headers.get("Content-Type", "").startswith("application/problem+json") else ""
    print(f"replay: {answer.status_code} {problem}")


def orders(directory_url, count):
    network, directory, _ = new_account(directory_url)

    class Payload:
        def __init__(self, name):
            self.name = name

        def json_dumps(self, **kwargs):
            return json.dumps({"identifiers": [{"type": "dns", "value": self.name}]})

    for number in range(1, count + 1):
        url = directory["newOrder"]
        nonce = network._get_nonce(url, directory["newNonce"])
        body = network._wrap_in_jws(Payload(f"order{number}.example.com"), nonce, url)
        answer = requests.post(url, data=body, headers=HEADERS, timeout=30)
        problem = answer.json().get("type", "") if answer.status_code >= 400 else ""
        print(f"order {number}: {answer.status_code} {problem} {answer.headers.get('Retry-After', '')}".rstrip())


def main():
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "orders":
        orders(sys.argv[2], int(sys.argv[3]))
    else:
        replay(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
