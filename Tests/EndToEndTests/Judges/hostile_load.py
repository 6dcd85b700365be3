"""Sends hostile traffic to every route of a running `swift-ca serve` for a bounded time, while a prober keeps
asking valid questions and times the answers.

usage: hostile_load.py CONFIG_JSON OUTPUT_JSON

CONFIG_JSON names: base (http://127.0.0.1:PORT), seconds, ocsp_der (a valid OCSP request, file), ocsp_prefix
(/ca/ocsp/<serial>/cert/), crl_path, issuer_path, acme_directory, api_path, token, csr_pem (file), web_login
(/admin/login/), slow_clients, idle_connections, mutators.

Hostile traffic, from `mutators` threads, each request chosen at random:
- a valid request of some route (OCSP GET and POST, CRL, issuer, ACME directory, new-nonce and a JWS POST, REST
  API sign, web login form) with its body or path mutated: bytes flipped, cut, repeated, inserted;
- bodies over each route's limit, headers over the header limit, very long paths, wrong methods and content
  types, malformed JSON, a broken chunked encoding, a Content-Length that lies;
and `slow_clients` threads that open a connection and send a request a byte at a time, never finishing, and
`idle_connections` connections opened once and held without a word.

The prober sends, every 50 ms, a valid OCSP GET and a /healthz, and records each latency; an answer that is not
200 (or not a successful OCSP response) counts as a failed probe.

OUTPUT_JSON: statuses (status -> count), five_hundreds (examples of any 5xx), probe_latencies_ms (baseline and
under load: count, p50, p95, p99, max), failed_probes (examples), requests, slow_clients_closed_after_s.
"""
import base64
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

config = json.load(open(sys.argv[1]))
output_path = sys.argv[2]
host, port = urllib.parse.urlsplit(config["base"]).hostname, urllib.parse.urlsplit(config["base"]).port
deadline = None
lock = threading.Lock()
statuses = {}
five_hundreds = []
failed_probes = []
slow_closed = []
requests_sent = [0]

ocsp_der = open(config["ocsp_der"], "rb").read()
csr_pem = open(config["csr_pem"]).read()


def exchange(raw, timeout=10.0):
    """Sends raw bytes on a new connection and returns the status code of the answer (None if there was none)."""
    connection = socket.create_connection((host, port), timeout=timeout)
    try:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        data = b""
        while b"\r\n" not in data and len(data) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                break
            data += chunk
        if not data.startswith(b"HTTP/1."):
            return None, data
        # Read the rest so that the server is not left writing to a closed socket.
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ", 2)[1]), data
    except (ConnectionError, socket.timeout, OSError):
        return None, b""
    finally:
        connection.close()


def request(method, path, body=b"", headers=None):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None and "Content-Length" not in (headers or {}) and "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + (body or b"")


def mutate(data):
    data = bytearray(data)
    for _ in range(random.randint(1, 8)):
        choice = random.random()
        if not data:
            data += os.urandom(random.randint(1, 64))
        elif choice < 0.3:
            index = random.randrange(len(data))
            data[index] ^= 1 << random.randrange(8)
        elif choice < 0.45:
            data = data[: random.randrange(len(data))]
        elif choice < 0.6:
            index = random.randrange(len(data))
            data[index:index] = os.urandom(random.randint(1, 32))
        elif choice < 0.7:
            start = random.randrange(len(data))
            data[start:start] = data[start : start + random.randint(1, 64)] * random.randint(2, 50)
        elif choice < 0.8:
            index = random.randrange(len(data))
            data[index] = random.choice(b"\x00\xff{}[]\",:\\%/.-=&;")
        else:
            index = random.randrange(len(data))
            data[index : index + 1] = random.choice([b"\xff\xff\xff\xff", b"\x30\x84\x7f\xff\xff\xff", b"\x02\x00", b"%00", b"%zz"])
    return bytes(data)


def jws_body():
    protected = base64.urlsafe_b64encode(json.dumps(
        {"alg": "ES256", "nonce": "AAAA", "url": config["base"] + config["acme_directory"], "jwk": {"kty": "EC", "crv": "P-256", "x": "A", "y": "B"}}
    ).encode()).rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps({"identifiers": [{"type": "dns", "value": "a.example"}]}).encode()).rstrip(b"=").decode()
    return json.dumps({"protected": protected, "payload": payload, "signature": "AAAA"}).encode()


def valid_requests():
    ocsp_get = config["ocsp_prefix"] + urllib.parse.quote(base64.b64encode(ocsp_der).decode(), safe="")
    api_body = json.dumps({"csr": csr_pem, "subject": [{"oid": "2.5.4.3", "value": "load.example.com"}],
                           "extensions": {"subject_alternative_name": {"value": ["DNS:load.example.com"]}}}).encode()
    auth = {"Authorization": "Bearer " + config["token"]}
    return [
        ("GET", ocsp_get, b"", {}),
        ("POST", config["ocsp_prefix"], ocsp_der, {"Content-Type": "application/ocsp-request"}),
        ("GET", config["crl_path"], b"", {}),
        ("GET", config["issuer_path"], b"", {}),
        ("GET", config["acme_directory"], b"", {}),
        ("HEAD", config["acme_new_nonce"], b"", {}),
        ("POST", config["acme_new_account"], jws_body(), {"Content-Type": "application/jose+json"}),
        ("POST", config["api_path"], api_body, dict(auth, **{"Content-Type": "application/json"})),
        ("GET", "/api/ca/", b"", auth),
        ("POST", config["web_login"], b"username=admin&password=wrong&csrfmiddlewaretoken=abc", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("GET", "/admin/", b"", {"Cookie": "sca_session=" + "A" * 43}),
    ]


def hostile_request(valid):
    method, path, body, headers = random.choice(valid)
    headers = dict(headers)
    kind = random.random()
    if kind < 0.35:
        return request(method, path, mutate(body) if body else b"", headers)
    if kind < 0.55:
        return request(method, mutate(path.encode()).decode("latin-1").replace(" ", "%20").replace("\r", "").replace("\n", "") or "/", body, headers)
    if kind < 0.62:
        return request(method, path, os.urandom(random.choice([40_000, 200_000, 1_200_000])), headers)
    if kind < 0.67:
        headers["X-Padding"] = "a" * random.choice([20_000, 70_000])
        return request(method, path, body, headers)
    if kind < 0.71:
        return request(method, "/" + "a/" * random.randint(2_000, 40_000), b"", headers)
    if kind < 0.76:
        return request(random.choice(["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW", "G\x00T"]), path, body, headers)
    if kind < 0.81:
        headers["Content-Type"] = random.choice(["text/plain", "application/json", "multipart/form-data; boundary=", "application/ocsp-request; x=\x00"])
        return request(method, path, body, headers)
    if kind < 0.86:
        headers["Transfer-Encoding"] = "chunked"
        return request("POST", path, b"ffffffffffffffff\r\n" + os.urandom(100) + b"\r\nzz\r\n", headers)
    if kind < 0.91:
        headers["Content-Length"] = str(random.choice([len(body) + 1000, 2**62, -5]))
        return request(method, path, body, headers)
    if kind < 0.96:
        return mutate(request(method, path, body, headers))
    return os.urandom(random.randint(1, 4096))


def mutator():
    valid = valid_requests()
    while time.time() < deadline:
        status, data = exchange(hostile_request(valid), timeout=15)
        with lock:
            requests_sent[0] += 1
            key = str(status) if status is not None else "no answer"
            statuses[key] = statuses.get(key, 0) + 1
            if status is not None and status >= 500 and len(five_hundreds) < 20:
                five_hundreds.append(data[:400].decode("latin-1"))


def slow_client():
    while time.time() < deadline:
        opened = time.time()
        try:
            connection = socket.create_connection((host, port), timeout=5)
            head = random.choice([
                b"POST " + config["ocsp_prefix"].encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\nContent-Length: 5000\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                b"POST /api/ca/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n",
            ])
            connection.sendall(head)
            while time.time() < deadline:
                connection.sendall(b"a")
                time.sleep(0.5)
            connection.close()
        except (ConnectionError, socket.timeout, OSError):
            with lock:
                slow_closed.append(time.time() - opened)


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)


def summary(values):
    return {"count": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99), "max": round(max(values), 2) if values else None}


def ocsp_successful(answer):
    """Whether the body is an OCSPResponse whose responseStatus is successful (RFC 6960 §4.2.1)."""
    head, _, body = answer.partition(b"\r\n\r\n")
    if b"application/ocsp-response" not in head.lower() or len(body) < 8 or body[0] != 0x30:
        return False
    length_octets = body[1] - 0x80 if body[1] & 0x80 else 0
    return body[2 + length_octets : 5 + length_octets] == b"\x0a\x01\x00"


def probe(until, latencies):
    ocsp_get = request("GET", config["ocsp_prefix"] + urllib.parse.quote(base64.b64encode(ocsp_der).decode(), safe=""))
    health = request("GET", "/healthz")
    while time.time() < until:
        for raw, check in ((ocsp_get, ocsp_successful), (health, lambda d: d.endswith(b"ok\n"))):
            started = time.time()
            status, data = exchange(raw, timeout=30)
            elapsed = (time.time() - started) * 1000
            latencies.append(elapsed)
            if status != 200 or not check(data):
                with lock:
                    if len(failed_probes) < 20:
                        failed_probes.append(f"{status} after {elapsed:.0f} ms: {data[:200]!r}")
                    else:
                        failed_probes.append("...")
        time.sleep(0.05)


baseline = []
probe(time.time() + 5, baseline)
deadline = time.time() + config["seconds"]
held = []
for _ in range(config["idle_connections"]):
    try:
        held.append(socket.create_connection((host, port), timeout=5))
    except OSError:
        break
threads = [threading.Thread(target=mutator) for _ in range(config["mutators"])]
threads += [threading.Thread(target=slow_client) for _ in range(config["slow_clients"])]
for thread in threads:
    thread.start()
under_load = []
probe(deadline, under_load)
for thread in threads:
    thread.join()
for connection in held:
    connection.close()
result = {
    "statuses": statuses, "five_hundreds": five_hundreds, "failed_probes": failed_probes[:25],
    "failed_probe_count": len(failed_probes), "requests": requests_sent[0],
    "probe_latencies_ms": {"baseline": summary(baseline), "under_load": summary(under_load)},
    "slow_clients_closed_after_s": summary(slow_closed), "idle_connections_held": len(held),
}
json.dump(result, open(output_path, "w"), indent=1)
print(json.dumps(result)[:2000])
