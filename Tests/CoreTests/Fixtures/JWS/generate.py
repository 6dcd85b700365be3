#!/usr/bin/env python3
"""Writes requests.json: ACME request bodies signed by outside implementations, for JWSTests.swift.

certbot's own code signs the requests (acme.client.ClientNetwork._wrap_in_jws and
acme.messages.ExternalAccountBinding, on top of josepy). josepy has no Ed25519, so the EdDSA
requests and the lego-style bindings are put together here with `cryptography` and `hmac`, following
RFC 8037 and the field order go-jose (lego's JOSE library) writes.

Every key is new on each run, so regenerating changes every value; the Swift tests read only what
this file writes. Regenerate with:

    python3 -m venv .venv && .venv/bin/pip install acme josepy cryptography
    .venv/bin/python Tests/CoreTests/Fixtures/JWS/generate.py
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
from importlib import metadata

import josepy as jose
from acme import client, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

BASE = "https://ca.example/acme"
NEW_ACCOUNT = BASE + "/new-account"
DIRECTORY = messages.Directory({"newAccount": NEW_ACCOUNT, "newNonce": BASE + "/new-nonce"})


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def spki(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def canonical(members: dict) -> bytes:
    # RFC 7638 §3: required members only, sorted, no whitespace.
    return json.dumps(members, sort_keys=True, separators=(",", ":")).encode()


class JoseKey:
    """A key that josepy (and so certbot) can sign with."""

    def __init__(self, name, private_key, alg):
        self.name = name
        self.private_key = private_key
        self.alg = alg
        self.jwk = jose.JWK.load(private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    def public_jwk(self) -> dict:
        return self.jwk.public_key().to_partial_json()

    def thumbprint(self) -> str:
        return b64u(self.jwk.thumbprint())

    def sign_like_certbot(self, obj, url, kid=None) -> str:
        account = None
        if kid is not None:
            account = messages.RegistrationResource(body=messages.Registration(), uri=kid)
        network = client.ClientNetwork(self.jwk, account=account, alg=self.alg)
        return network._wrap_in_jws(obj, secrets.token_bytes(16), url)


class EdKey:
    """An Ed25519 key, signed for by hand (RFC 8037) since josepy has no OKP keys."""

    name = "ed25519"

    def __init__(self):
        self.private_key = ed25519.Ed25519PrivateKey.generate()
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.members = {"crv": "Ed25519", "kty": "OKP", "x": b64u(raw)}

    def public_jwk(self) -> dict:
        return dict(self.members)

    def thumbprint(self) -> str:
        return b64u(hashlib.sha256(canonical(self.members)).digest())

    def sign_like_certbot(self, obj, url, kid=None) -> str:
        header = {"alg": "EdDSA", "nonce": b64u(secrets.token_bytes(16)), "url": url}
        if kid is None:
            header["jwk"] = self.public_jwk()
        else:
            header["kid"] = kid
        protected = b64u(json.dumps(header).encode())
        payload = b64u(obj.json_dumps(indent=2).encode()) if obj else ""
        signature = self.private_key.sign(f"{protected}.{payload}".encode())
        return json.dumps({"protected": protected, "payload": payload, "signature": b64u(signature)}, indent=2)


def key_entry(key) -> dict:
    return {"name": key.name, "jwk": key.public_jwk(), "thumbprint": key.thumbprint(),
            "spki": spki(key.private_key.public_key())}


def lego_style_binding(account_jwk: dict, kid: str, mac_key: bytes, url: str) -> dict:
    # go-jose writes the protected header as alg, kid, url and the JWK as kty, crv, x, y.
    header = {"alg": "HS256", "kid": kid, "url": url}
    ordered = {"kty": account_jwk["kty"]}
    ordered.update({k: v for k, v in account_jwk.items() if k != "kty"})
    protected = b64u(json.dumps(header, separators=(",", ":")).encode())
    payload = b64u(json.dumps(ordered, separators=(",", ":")).encode())
    mac = hmac.new(mac_key, f"{protected}.{payload}".encode(), hashlib.sha256).digest()
    return {"protected": protected, "payload": payload, "signature": b64u(mac)}


def main():
    keys = [
        JoseKey("es256", ec.generate_private_key(ec.SECP256R1()), jose.ES256),
        JoseKey("es384", ec.generate_private_key(ec.SECP384R1()), jose.ES384),
        JoseKey("rs256", rsa.generate_private_key(65537, 2048), jose.RS256),
        JoseKey("rs256-4096", rsa.generate_private_key(65537, 4096), jose.RS256),
        EdKey(),
    ]
    new_account = messages.NewRegistration.from_data(email="admin@example.com", terms_of_service_agreed=True)
    order = messages.NewOrder(identifiers=(messages.Identifier(typ=messages.IDENTIFIER_FQDN, value="example.com"),))

    requests = []
    for key in keys:
        account_url = f"{BASE}/account/{key.name}"
        cases = [
            ("newAccount", "jwk", NEW_ACCOUNT, new_account, None),
            ("newOrder", "kid", BASE + "/new-order", order, account_url),
            ("postAsGet", "kid", BASE + "/order/1", None, account_url),
        ]
        for purpose, form, url, obj, kid in cases:
            body = key.sign_like_certbot(obj, url, kid)
            payload = obj.json_dumps(indent=2) if obj else ""
            requests.append({"name": f"{key.name} {purpose}", "key": key.name, "form": form, "url": url,
                             "kid": kid, "payload": payload, "body": body})

    bindings = []
    for key in keys[:3]:
        for alg in ("HS256", "HS384", "HS512"):
            mac_key = secrets.token_bytes(32)
            kid = f"eab-{key.name}-{alg.lower()}"
            binding = messages.ExternalAccountBinding.from_data(key.jwk.public_key(), kid, b64u(mac_key), DIRECTORY, alg)
            registration = messages.NewRegistration.from_data(
                email="admin@example.com", terms_of_service_agreed=True, external_account_binding=binding)
            bindings.append({"name": f"certbot {alg} {key.name}", "key": key.name, "kid": kid, "alg": alg,
                             "macKey": b64u(mac_key), "url": NEW_ACCOUNT,
                             "body": key.sign_like_certbot(registration, NEW_ACCOUNT)})
    mac_key = secrets.token_bytes(32)
    binding = lego_style_binding(keys[0].public_jwk(), "eab-lego", mac_key, NEW_ACCOUNT)
    outer = messages.NewRegistration.from_data(email="admin@example.com", terms_of_service_agreed=True,
                                               external_account_binding=binding)
    bindings.append({"name": "lego-style HS256 es256", "key": "es256", "kid": "eab-lego", "alg": "HS256",
                     "macKey": b64u(mac_key), "url": NEW_ACCOUNT, "body": keys[0].sign_like_certbot(outer, NEW_ACCOUNT)})

    # Keys ACME must refuse: RSA below 2048 bits (badPublicKey) and a JWK with private members (malformed).
    weak = JoseKey("rs256-1024", rsa.generate_private_key(65537, 1024), jose.RS256)
    private = JoseKey("es256-private", ec.generate_private_key(ec.SECP256R1()), jose.ES256)
    refused = {
        "rsa1024": {"jwk": weak.public_jwk(), "body": weak.sign_like_certbot(new_account, NEW_ACCOUNT)},
        "privateEC": {"jwk": private.jwk.to_partial_json()},
        "privateRSA": {"jwk": JoseKey("x", rsa.generate_private_key(65537, 2048), jose.RS256).jwk.to_partial_json()},
    }

    versions = {name: metadata.version(name) for name in ("acme", "josepy", "cryptography")}
    document = {"generator": "generate.py with " + ", ".join(f"{k} {v}" for k, v in versions.items()),
                "keys": [key_entry(key) for key in keys], "requests": requests, "bindings": bindings,
                "refused": refused}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requests.json")
    with open(path, "w") as file:
        json.dump(document, file, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main()
