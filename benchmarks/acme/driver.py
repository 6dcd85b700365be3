"""ACME load driver: N complete orders (order -> authorization -> http-01 challenge -> finalize -> download)
against one ACME directory (swift-ca's over HTTP, or pebble's over HTTPS with its test certificate, which is not
verified), from WORKERS processes, each with its own keep-alive connection.

Usage: driver.py DIRECTORY_URL ORDERS WORKERS RESPONDER_PORT SERVER_PID
All workers share one account key, so the http-01 responder is stateless: it answers any token with
token "." thumbprint. Prints one line: orders, seconds, orders/s, server CPU seconds per order, p50/p99 order latency.
"""
import base64
import hashlib
import http.client
import http.server
import json
import multiprocessing
import os
import ssl
import sys
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(key) -> dict:
    numbers = key.public_key().public_numbers()
    return {"crv": "P-256", "kty": "EC", "x": b64(numbers.x.to_bytes(32, "big")), "y": b64(numbers.y.to_bytes(32, "big"))}


def thumbprint(jwk: dict) -> str:
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    return b64(hashlib.sha256(canonical.encode()).digest())


class Client:
    def __init__(self, directory_url: str, key):
        self.key = key
        self.jwk = public_jwk(key)
        parts = urllib.parse.urlsplit(directory_url)
        if parts.scheme == "https":
            self.connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=ssl._create_unverified_context())
        else:
            self.connection = http.client.HTTPConnection(parts.hostname, parts.port)
        self.directory = self.request("GET", directory_url)[1]
        self.nonce = self.request("HEAD", self.directory["newNonce"])[2].getheader("Replay-Nonce")
        self.kid = None

    def request(self, method, url, body=None, headers=None):
        path = urllib.parse.urlsplit(url).path
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        data = response.read()
        answer = json.loads(data) if data and "json" in response.getheader("Content-Type", "") else data
        return response.status, answer, response

    def post(self, url, payload):
        protected = {"alg": "ES256", "nonce": self.nonce, "url": url}
        if self.kid:
            protected["kid"] = self.kid
        else:
            protected["jwk"] = self.jwk
        encoded_protected = b64(json.dumps(protected).encode())
        encoded_payload = "" if payload is None else b64(json.dumps(payload).encode())
        der = self.key.sign(f"{encoded_protected}.{encoded_payload}".encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signature = b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        body = json.dumps({"protected": encoded_protected, "payload": encoded_payload, "signature": signature})
        status, answer, response = self.request("POST", url, body, {"Content-Type": "application/jose+json"})
        self.nonce = response.getheader("Replay-Nonce")
        if status >= 400:
            raise RuntimeError(f"{url}: {status} {answer}")
        return answer, response


def csr_der(name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    request = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
               .sign(key, hashes.SHA256()))
    return request.public_bytes(serialization.Encoding.DER)


def one_order(client: Client, name: str) -> None:
    order, response = client.post(client.directory["newOrder"], {"identifiers": [{"type": "dns", "value": name}]})
    order_url = response.getheader("Location")
    authorization, _ = client.post(order["authorizations"][0], None)
    challenge = next(c for c in authorization["challenges"] if c["type"] == "http-01")
    client.post(challenge["url"], {})
    while True:
        order, _ = client.post(order_url, None)
        if order["status"] != "pending":
            break
        time.sleep(0.002)
    if order["status"] != "ready":
        raise RuntimeError(f"order {order_url} is {order['status']}: {order.get('error')}")
    order, _ = client.post(order["finalize"], {"csr": b64(csr_der(name))})
    # pebble signs after answering (the order is "processing"); swift-ca answers once the certificate is stored.
    while order["status"] == "processing":
        time.sleep(0.002)
        order, _ = client.post(order_url, None)
    if order["status"] != "valid":
        raise RuntimeError(f"order {order_url} is {order['status']} after finalize")
    chain, _ = client.post(order["certificate"], None)
    if chain.count(b"BEGIN CERTIFICATE") < 2:
        raise RuntimeError("the certificate download has no chain")


def worker(arguments):
    directory_url, key_pem, index, count = arguments
    key = serialization.load_pem_private_key(key_pem, None)
    client = Client(directory_url, key)
    account, response = client.post(client.directory["newAccount"], {"termsOfServiceAgreed": True})
    client.kid = response.getheader("Location")
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        one_order(client, f"w{index}-{number}-{os.getpid()}.bench.test")
        latencies.append(time.perf_counter() - started)
    return latencies


def serve_responder(port: int, key_thumbprint: str) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            token = self.path.rsplit("/", 1)[-1]
            body = f"{token}.{key_thumbprint}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    directory_url, orders, workers, responder_port, server_pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    responder = serve_responder(responder_port, thumbprint(public_jwk(key)))
    # Warm-up: one order, not timed.
    worker((directory_url, key_pem, 999, 1))
    per_worker = [orders // workers + (1 if index < orders % workers else 0) for index in range(workers)]
    cpu_before = cpu_seconds(server_pid)
    started = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        latencies = [latency for part in pool.map(worker, [(directory_url, key_pem, i, n) for i, n in enumerate(per_worker)]) for latency in part]
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(server_pid) - cpu_before
    responder.shutdown()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"acme orders: {orders} in {elapsed:.1f} s = {orders / elapsed:.0f} orders/s, server CPU {cpu / orders * 1000:.2f} ms/order, "
          f"order latency p50 {p50:.0f} ms p99 {p99:.0f} ms ({workers} workers)")


if __name__ == "__main__":
    main()
