"""Signs and revokes through the REST API from several threads until the server stops answering, and writes
what the server acknowledged: every serial answered 201, and every serial whose revocation was answered 200.

usage: api_load.py BASE_URL CA_SERIAL TOKEN CSR_FILE OUTPUT_JSON THREADS
"""
import json
import sys
import threading
import urllib.error
import urllib.request

base, ca, token, csr_file, output, threads = sys.argv[1:7]
csr = open(csr_file).read()
signed, revoked = [], []
lock = threading.Lock()


def post(path, body):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def client(number):
    index = 0
    while True:
        index += 1
        try:
            status, body = post(f"/api/ca/{ca}/sign/", {"csr": csr, "subject": f"CN=c{number}-{index}.example.com"})
            serial = body["serial"].replace(":", "")
            if status != 201:
                continue
            with lock:
                signed.append(serial)
            if index % 3 == 0:
                status, _ = post(f"/api/ca/{ca}/certs/{serial}/revoke/", {"reason": "key_compromise"})
                if status == 200:
                    with lock:
                        revoked.append(serial)
        except urllib.error.HTTPError:
            continue
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return  # the server is gone


workers = [threading.Thread(target=client, args=(n,)) for n in range(int(threads))]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
with open(output, "w") as handle:
    json.dump({"signed": signed, "revoked": revoked}, handle)
