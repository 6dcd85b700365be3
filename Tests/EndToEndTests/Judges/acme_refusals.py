"""Answers swift-ca's ACME challenges in ways the validator must refuse, with certbot's ACME library (`acme`).

Usage: acme_refusals.py MODE DIRECTORY_URL ROOT_PEM HTTP01_PORT TLSALPN01_PORT ZONE_FILE

MODE wrong-answers: one order per challenge type, answered with the key authorization of another account
key (the answer a client with a mixed-up key sends), on the ports and in the zone the validator is aimed at.
MODE private-addresses: orders whose names resolve to loopback or private addresses, answered correctly, so
that only the validator's address policy can refuse them; the responders count every connection they get.

Prints one line per case ("case: key=value ..."), then the details of the problems; the test compares them.
Exits non-zero on an unexpected exception.
"""
import datetime
import hashlib
import http.server
import ipaddress
import json
import os
import socket
import ssl
import sys
import tempfile
import threading
import time

import josepy as jose
from acme import challenges, crypto_util
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from acme_order import csr_for, kind, new_client, new_key, post, register

ACME_IDENTIFIER_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.31")  # RFC 8737 §3
FINISHED = {"valid", "invalid", "deactivated", "expired", "revoked"}


def token_of(challenge):
    # The library knows no tls-alpn-01 any more; its challenges come back unrecognized, with the token in the JSON.
    return challenge.chall.to_partial_json()["token"]


def key_authorization(token, key):
    thumbprint = jose.b64encode(key.thumbprint(hash_function=hashes.SHA256)).decode()
    return token + "." + thumbprint


class HTTPResponder:
    """Answers /.well-known/acme-challenge/TOKEN with whatever the test put there; counts every request."""

    def __init__(self, port):
        self.answers = {}
        self.requests = 0
        responder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                responder.requests += 1
                body = responder.answers.get(self.path.rsplit("/", 1)[-1])
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write((body or "").encode())

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class TLSALPNResponder:
    """Completes acme-tls/1 handshakes with a challenge certificate (RFC 8737 §3) for one name; counts them."""

    def __init__(self, port):
        self.connections = 0
        self.context = None
        self.socket = socket.create_server(("127.0.0.1", port))
        self.socket.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def present(self, name, authorization):
        key = new_key()
        digest = hashlib.sha256(authorization.encode()).digest()
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.UnrecognizedExtension(ACME_IDENTIFIER_OID, b"\x04\x20" + digest), critical=True)
            .sign(key, hashes.SHA256()))
        folder = tempfile.mkdtemp(prefix="tls-alpn-")
        certificate_file, key_file = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        with open(certificate_file, "wb") as handle:
            handle.write(certificate.public_bytes(serialization.Encoding.PEM))
        with open(key_file, "wb") as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_alpn_protocols(["acme-tls/1"])
        context.load_cert_chain(certificate_file, key_file)
        self.context = context

    def serve(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            try:
                connection.settimeout(5)
                if self.context is not None:
                    with self.context.wrap_socket(connection, server_side=True) as wrapped:
                        wrapped.recv(1)
            except (OSError, ssl.SSLError):
                pass
            finally:
                connection.close()

    def stop(self):
        self.running = False
        self.thread.join()
        self.socket.close()


class Zone:
    """TXT records in the test DNS server's zone file, written whole and renamed, as dns_server.py expects."""

    def __init__(self, path):
        self.path = path

    def add(self, record):
        with open(self.path) as handle:
            zone = json.load(handle)
        zone["records"].append(record)
        temporary = self.path + ".tmp"
        with open(temporary, "w") as handle:
            json.dump(zone, handle)
        os.replace(temporary, self.path)


class Driver:
    def __init__(self, directory_url, root):
        self.root = root
        self.acme, self.network, self.directory = new_client(directory_url, root)
        register(self.acme)
        self.details = []

    def fetch(self, url):
        return self.network.post(url, None).json()

    def order(self, csr):
        order = self.acme.new_order(csr)
        authorization = order.authorizations[0]
        return order, authorization

    def challenge(self, authorization, challenge_type):
        return next(c for c in authorization.body.challenges if c.chall.to_partial_json()["type"] == challenge_type)

    def answer_and_wait(self, case, order, authorization, challenge):
        status, body = post(self.network, challenge.uri, {}, self.directory["newNonce"], self.root)
        if status >= 300:
            print(f"{case}: answer refused {status} {kind(body)}")
            return
        deadline = time.time() + 60
        authorization_body = self.fetch(authorization.uri)
        while authorization_body["status"] not in FINISHED and time.time() < deadline:
            time.sleep(0.2)
            authorization_body = self.fetch(authorization.uri)
        challenge_body = self.fetch(challenge.uri)
        order_body = self.fetch(order.uri)
        # Finalizing an invalid order must be refused: nothing may be issued for it.
        _, csr = csr_for(["finalize.example.test"])
        der = x509.load_pem_x509_csr(csr).public_bytes(serialization.Encoding.DER)
        status, finalized = post(self.network, order_body["finalize"], {"csr": jose.encode_b64jose(der)},
                                 self.directory["newNonce"], self.root)
        problem = challenge_body.get("error", {})
        print(f"{case}: challenge={challenge_body['status']} authorization={authorization_body['status']} "
              f"order={order_body['status']} problem={kind(problem)} order-problem={kind(order_body.get('error', {}))} "
              f"finalize={status} {kind(finalized)}")
        self.details.append(f"detail {case}: {problem.get('detail', '')}")


def wrong_answers(driver, http_responder, tls_responder, zone):
    wrong_key = jose.JWKEC(key=new_key())

    order, authorization = driver.order(csr_for(["web.example.test"])[1])
    challenge = driver.challenge(authorization, "http-01")
    http_responder.answers[token_of(challenge)] = key_authorization(token_of(challenge), wrong_key)
    driver.answer_and_wait("http-01", order, authorization, challenge)

    order, authorization = driver.order(csr_for(["example.test"])[1])
    challenge = driver.challenge(authorization, "dns-01")
    digest = hashlib.sha256(key_authorization(token_of(challenge), wrong_key).encode()).digest()
    zone.add({"name": "_acme-challenge.example.test.", "type": "TXT", "value": jose.b64encode(digest).decode()})
    driver.answer_and_wait("dns-01", order, authorization, challenge)

    order, authorization = driver.order(csr_for(["tls.example.test"])[1])
    challenge = driver.challenge(authorization, "tls-alpn-01")
    tls_responder.present("tls.example.test", key_authorization(token_of(challenge), wrong_key))
    driver.answer_and_wait("tls-alpn-01", order, authorization, challenge)


def private_addresses(driver, http_responder, tls_responder, zone):
    key = driver.network.key
    # The zone gives this name only private addresses; CA_ACME_STATIC_HOSTS does not name it.
    zone.add({"name": "private.example.test.", "type": "A", "value": "10.20.30.40"})
    zone.add({"name": "private.example.test.", "type": "AAAA", "value": "fd00::1"})
    ip_pem = new_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    for case, csr in [
        ("http-01 loopback-name", csr_for(["web.example.test"])[1]),
        ("http-01 private-name", csr_for(["private.example.test"])[1]),
        ("http-01 loopback-ip", crypto_util.make_csr(ip_pem, ipaddrs=[ipaddress.ip_address("127.0.0.1")])),
    ]:
        order, authorization = driver.order(csr)
        challenge = driver.challenge(authorization, "http-01")
        token = token_of(challenge)
        http_responder.answers[token] = key_authorization(token, key)
        driver.answer_and_wait(case, order, authorization, challenge)

    order, authorization = driver.order(csr_for(["tls.example.test"])[1])
    challenge = driver.challenge(authorization, "tls-alpn-01")
    tls_responder.present("tls.example.test", key_authorization(token_of(challenge), key))
    driver.answer_and_wait("tls-alpn-01 loopback-name", order, authorization, challenge)

    # dns-01 connects to no address of the name, so the policy does not apply: the validator still works.
    order, authorization = driver.order(csr_for(["example.test"])[1])
    challenge = driver.challenge(authorization, "dns-01")
    zone.add({"name": "_acme-challenge.example.test.", "type": "TXT",
              "value": challenge.chall.validation(key)})
    driver.answer_and_wait("dns-01 control", order, authorization, challenge)
    print(f"responders: http-requests={http_responder.requests} tls-connections={tls_responder.connections}")


def main():
    mode, directory_url, root = sys.argv[1], sys.argv[2], sys.argv[3]
    http_port, tls_port, zone_file = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    driver = Driver(directory_url, root)
    http_responder, tls_responder = HTTPResponder(http_port), TLSALPNResponder(tls_port)
    try:
        {"wrong-answers": wrong_answers, "private-addresses": private_addresses}[mode](
            driver, http_responder, tls_responder, Zone(zone_file))
    finally:
        http_responder.stop()
        tls_responder.stop()
    for line in driver.details:
        print(line)


if __name__ == "__main__":
    main()
