"""Drives swift-ca's ACME orders with certbot's own ACME library (`acme`, with josepy), including the
requests a well-behaved client never sends.

Usage: acme_order.py DIRECTORY_URL ROOT_PEM HTTP01_PORT
Prints one line per step ("step: result"); the test compares them. Exits non-zero on an unexpected exception.
"""
import datetime
import ipaddress
import json
import sys

import josepy as jose
from acme import challenges, client, crypto_util, errors, messages, standalone
from acme import jws as acme_jws
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def new_client(directory_url, root, key=None):
    jwk = jose.JWKEC(key=key or new_key())
    network = client.ClientNetwork(jwk, alg=jose.ES256, user_agent="swift-ca-tests", verify_ssl=root)
    directory = client.ClientV2.get_directory(directory_url, network)
    return client.ClientV2(directory, network), network, directory


def register(acme):
    return acme.new_account(messages.NewRegistration.from_data(email="admin@example.test", terms_of_service_agreed=True))


def problem_type(call):
    try:
        call()
        return "accepted"
    except messages.Error as error:
        return error.typ.split(":")[-1]
    except errors.Error as error:
        return type(error).__name__


def csr_for(names, key=None):
    key = key or new_key()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key, crypto_util.make_csr(pem, names)


def csr_for_ip():
    key = new_key()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return crypto_util.make_csr(pem, ipaddrs=[ipaddress.ip_address("127.0.0.1")])


class Responder:
    """certbot's standalone http-01 server on the validator's port."""

    def __init__(self, port):
        self.resources = set()
        self.servers = standalone.HTTP01DualNetworkedServers(("127.0.0.1", port), self.resources)
        self.servers.serve_forever()

    def add(self, challenge_body, key):
        response, validation = challenge_body.response_and_validation(key)
        self.resources.add(standalone.HTTP01RequestHandler.HTTP01Resource(
            chall=challenge_body.chall, response=response, validation=validation))
        return response

    def stop(self):
        self.servers.shutdown_and_server_close()


def post(network, url, payload, new_nonce_url, root):
    """A raw signed POST of a JSON payload, answers unchecked: (status, JSON object or {})."""
    class Raw:
        def json_dumps(self, **kwargs):
            return json.dumps(payload)
    nonce = network._get_nonce(url, new_nonce_url)
    body = network._wrap_in_jws(Raw(), nonce, url)
    response = network.session.post(url, data=body, headers={"Content-Type": "application/jose+json"}, verify=root)
    answer = response.json() if response.headers.get("Content-Type", "").endswith("json") and response.content else {}
    if response.status_code >= 300:
        sys.stderr.write(f"{url}: {response.status_code} {answer}\n")
    return response.status_code, answer


def kind(answer):
    return answer.get("type", "").split(":")[-1]


def main():
    directory_url, root, http_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    acme, network, directory = new_client(directory_url, root)
    print(f"directory: {sorted(k for k in directory.to_partial_json().keys())}")
    registration = register(acme)

    # Identifiers the CA refuses.
    for name, identifiers in [
        ("bad-name", [{"type": "dns", "value": "not a name"}]),
        ("unsupported-type", [{"type": "email", "value": "a@example.test"}]),
        ("empty", []),
    ]:
        status, body = post(network, directory["newOrder"], {"identifiers": identifiers}, directory["newNonce"], root)
        print(f"new-order {name}: {status} {kind(body)}")

    # Profiles: meta.profiles lists what newOrder may name.
    profiles = directory.meta.to_partial_json().get("profiles", {})
    print(f"profiles: {sorted(profiles)}")
    status, body = post(network, directory["newOrder"], {
        "identifiers": [{"type": "dns", "value": "bad.example.test"}], "profile": "webserver"}, directory["newNonce"], root)
    print(f"profile-order: {status} {body.get('profile')}")
    status, body = post(network, directory["newOrder"], {
        "identifiers": [{"type": "dns", "value": "bad.example.test"}], "profile": "no-such-profile"}, directory["newNonce"], root)
    print(f"unknown-profile: {status} {kind(body)}")

    # A valid order, validated over http-01.
    responder = Responder(http_port)
    try:
        ordered(acme, network, directory, directory_url, root, registration, responder)
    finally:
        responder.stop()


def ordered(acme, network, directory, directory_url, root, registration, responder):
    order_key, csr = csr_for(["bad.example.test"])
    order = acme.new_order(csr)
    print(f"order: {order.body.status} {[i.value for i in order.body.identifiers]}")
    print(f"early-finalize: {problem_type(lambda: acme.begin_finalization(order))}")
    for authorization in order.authorizations:
        body = next(c for c in authorization.body.challenges if isinstance(c.chall, challenges.HTTP01))
        acme.answer_challenge(body, responder.add(body, network.key))
    order = acme.poll_authorizations(order, datetime.datetime.now() + datetime.timedelta(seconds=30))
    print(f"authorized: {[a.body.status.name for a in order.authorizations]}")

    # Finalize with a CSR for other names: badCSR, nothing issued.
    _, other_csr = csr_for(["web.example.test"])
    status, body = post(network, order.body.finalize, {"csr": jose.encode_b64jose(
        x509.load_pem_x509_csr(other_csr).public_bytes(serialization.Encoding.DER))}, directory["newNonce"], root)
    print(f"finalize-other-names: {status} {kind(body)}")

    # Another account cannot read the order.
    other, other_network, _ = new_client(directory_url, root)
    register(other)
    try:
        other_network.post(order.uri, None)
        print("foreign-order: readable")
    except messages.Error as error:
        print(f"foreign-order: {error.typ.split(':')[-1]} {error.detail}")

    finalized = acme.finalize_order(order, datetime.datetime.now() + datetime.timedelta(seconds=30))
    chain = finalized.fullchain_pem
    print(f"finalized: {finalized.body.status} certificates={chain.count('BEGIN CERTIFICATE')}")
    certificate = x509.load_pem_x509_certificate(chain.encode())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    print(f"certificate-names: {names}")

    # ACME Renewal Information (RFC 9773).
    authority_key = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    serial = certificate.serial_number
    serial_bytes = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    certificate_id = jose.encode_b64jose(authority_key) + "." + jose.encode_b64jose(serial_bytes)
    info = network.session.get(directory["renewalInfo"] + certificate_id, verify=root)
    window = info.json().get("suggestedWindow", {})
    print(f"renewal-info: {info.status_code} {sorted(window.keys())} retry-after={info.headers.get('Retry-After')}")
    replacement = {"identifiers": [{"type": "dns", "value": "bad.example.test"}], "replaces": certificate_id}
    status, body = post(network, directory["newOrder"], replacement, directory["newNonce"], root)
    print(f"replaces: {status} {body.get('replaces') == certificate_id}")
    status, body = post(network, directory["newOrder"], replacement, directory["newNonce"], root)
    print(f"replaces-again: {status} {kind(body)}")

    # Revocation: refused for an account without rights, accepted when signed with the certificate's key.
    wrapped = jose.ComparableX509(certificate) if hasattr(jose, "ComparableX509") else certificate
    print(f"revoke-by-stranger: {problem_type(lambda: other.revoke(wrapped, 0))}")
    key_client, _, _ = new_client(directory_url, root, key=order_key)
    print(f"revoke-by-certificate-key: {problem_type(lambda: key_client.revoke(wrapped, 1))}")
    print(f"revoke-again: {problem_type(lambda: acme.revoke(wrapped, 1))}")
    status, body = post(network, directory["revokeCert"], {
        "certificate": jose.encode_b64jose(certificate.public_bytes(serialization.Encoding.DER)), "reason": 7},
        directory["newNonce"], root)
    print(f"revoke-bad-reason: {status} {kind(body)}")

    # Key rollover (RFC 8555 §7.3.5): the account answers to the new key only.
    new_jwk = jose.JWKEC(key=new_key())
    inner = acme_jws.JWS.sign(json.dumps({
        "account": registration.uri, "oldKey": network.key.public_key().to_partial_json()}).encode(),
        key=new_jwk, alg=jose.ES256, nonce=None, url=directory["keyChange"])
    status, body = post(network, directory["keyChange"], json.loads(inner.json_dumps()), directory["newNonce"], root)
    print(f"key-change: {status} {kind(body)}")
    old_key = network.key
    try:
        network.post(registration.uri, None)
        print("old-key: accepted")
    except messages.Error as error:
        print(f"old-key: {error.typ.split(':')[-1]}")
    network.key = new_jwk
    response = network.post(registration.uri, None)
    print(f"new-key: {response.status_code} {response.json().get('status')}")
    # An IP identifier (RFC 8738), validated over http-01 at the address itself.
    ip_key = new_key()
    ip_pem = ip_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    ip_order = acme.new_order(crypto_util.make_csr(ip_pem, ipaddrs=[ipaddress.ip_address("127.0.0.1")]))
    print(f"ip-order: {[(i.typ.name, i.value) for i in ip_order.body.identifiers]} "
          f"{sorted(c.to_partial_json()['type'] for c in ip_order.authorizations[0].body.challenges)}")
    for authorization in ip_order.authorizations:
        body = next(c for c in authorization.body.challenges if isinstance(c.chall, challenges.HTTP01))
        acme.answer_challenge(body, responder.add(body, network.key))
    ip_order = acme.poll_authorizations(ip_order, datetime.datetime.now() + datetime.timedelta(seconds=30))
    ip_finished = acme.finalize_order(ip_order, datetime.datetime.now() + datetime.timedelta(seconds=30))
    ip_certificate = x509.load_pem_x509_certificate(ip_finished.fullchain_pem.encode())
    ip_names = ip_certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    print(f"ip-certificate: {[str(a) for a in ip_names.get_values_for_type(x509.IPAddress)]}")

    # Another account that proves control of 127.0.0.1 may revoke that certificate (RFC 8555 §7.6).
    other_order = other.new_order(csr_for_ip())
    for authorization in other_order.authorizations:
        body = next(c for c in authorization.body.challenges if isinstance(c.chall, challenges.HTTP01))
        other.answer_challenge(body, responder.add(body, other_network.key))
    other.poll_authorizations(other_order, datetime.datetime.now() + datetime.timedelta(seconds=30))
    wrapped_ip = jose.ComparableX509(ip_certificate) if hasattr(jose, "ComparableX509") else ip_certificate
    print(f"revoke-by-authorized-account: {problem_type(lambda: other.revoke(wrapped_ip, 4))}")

    # Unknown kid.
    network.account = messages.RegistrationResource(uri=registration.uri.rsplit("/", 2)[0] + "/unknown/", body=registration.body)
    status, body = post(network, directory["newOrder"], {"identifiers": [{"type": "dns", "value": "bad.example.test"}]},
                        directory["newNonce"], root)
    print(f"unknown-kid: {status} {kind(body)}")


if __name__ == "__main__":
    main()
