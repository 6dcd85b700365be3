#!/usr/bin/env python3
"""A small authoritative DNS server for tests, serving records from a JSON zone file.

Usage: python3 dns_server.py --port P --zone FILE [--host 127.0.0.1] [--verbose]

FILE holds a JSON object:

    {"records": [
        {"name": "_acme-challenge.example.test.", "type": "TXT", "value": "token"},
        {"name": "example.test.", "type": "CAA", "flags": 0, "tag": "issue",
         "value": "ca.test; accounturi=https://ca.test/acme/acct/1"},
        {"name": "x.test.", "type": "A", "value": "127.0.0.1"},
        {"name": "x.test.", "type": "AAAA", "value": "::1"},
        {"name": "alias.test.", "type": "CNAME", "value": "x.test."}
     ],
     "servfail": ["broken.test."],
     "drop": ["silent.test."]}

A TXT value may also be a list of strings, sent as several character-strings of one record; longer
strings are split at 255 bytes. "ttl" is optional on every record. Names in "servfail" are answered
with SERVFAIL and names in "drop" are not answered at all, so that tests can exercise failures.

The file is read again for every query, so a test may rewrite it while the server runs (write a new
file and rename it over the old one, so that no query sees half a file; a query that does gets
SERVFAIL). Unknown names get NXDOMAIN; known names (and their parents) without records of the asked
type get an empty NOERROR answer. CNAMEs in the zone are followed, as a recursive resolver would.
UDP answers longer than 512 bytes are sent truncated (TC bit) so that clients retry over TCP, which
is served on the same port.

Prints "ready" on stdout once listening, or "ready PORT" when started with --port 0. Exits on
SIGTERM or SIGINT.
"""

import argparse
import json
import signal
import socket
import socketserver
import struct
import sys
import threading

from dnslib import AAAA, CAA, CNAME, QTYPE, RCODE, RR, TXT, A, DNSHeader, DNSRecord

UDP_PAYLOAD_LIMIT = 512  # RFC 1035 §4.2.1, without EDNS
CNAME_CHAIN_LIMIT = 8
DEFAULT_TTL = 60


def normalized(name):
    name = str(name).lower()
    return name if name.endswith(".") else name + "."


class Zone:
    def __init__(self, document):
        self.records = {}
        for entry in document.get("records", []):
            self.records.setdefault(normalized(entry["name"]), []).append(entry)
        self.servfail = {normalized(name) for name in document.get("servfail", [])}
        self.drop = {normalized(name) for name in document.get("drop", [])}

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as file:
            return cls(json.load(file))

    def exists(self, name):
        """A name exists if it owns records or is a parent of a name that does (RFC 8020)."""
        return any(owner == name or owner.endswith("." + name) for owner in self.records)

    def entries(self, name, record_type):
        return [entry for entry in self.records.get(name, []) if entry["type"].upper() == record_type]


def character_strings(text):
    """Splits text into the at most 255-byte pieces a TXT record is made of (RFC 1035 §3.3)."""
    encoded = text.encode("utf-8")
    if not encoded:
        return [b""]
    return [encoded[start:start + 255] for start in range(0, len(encoded), 255)]


def resource_record(name, entry):
    record_type = entry["type"].upper()
    value = entry.get("value", "")
    if record_type == "A":
        data = A(value)
    elif record_type == "AAAA":
        data = AAAA(value)
    elif record_type == "CNAME":
        data = CNAME(normalized(value))
    elif record_type == "TXT":
        strings = value if isinstance(value, list) else [value]
        data = TXT([chunk for text in strings for chunk in character_strings(text)])
    elif record_type == "CAA":
        data = CAA(flags=int(entry.get("flags", 0)), tag=entry["tag"], value=value)
    else:
        raise ValueError(f"unsupported record type {record_type}")
    return RR(name, getattr(QTYPE, record_type), ttl=int(entry.get("ttl", DEFAULT_TTL)), rdata=data)


def answer(request, zone_path):
    """Returns the reply to a parsed query, or None when the query must go unanswered."""
    reply = request.reply()
    reply.header.ra = 1
    try:
        zone = Zone.load(zone_path)
    except (OSError, ValueError, KeyError):
        reply.header.rcode = RCODE.SERVFAIL
        return reply

    name = normalized(request.q.qname)
    wanted = QTYPE[request.q.qtype]
    if name in zone.drop:
        return None
    if name in zone.servfail:
        reply.header.rcode = RCODE.SERVFAIL
        return reply

    try:
        for _ in range(CNAME_CHAIN_LIMIT):
            matches = zone.entries(name, wanted)
            aliases = zone.entries(name, "CNAME")
            if not matches and aliases and wanted != "CNAME":
                reply.add_answer(resource_record(name, aliases[0]))
                name = normalized(aliases[0]["value"])
                continue
            for entry in matches:
                reply.add_answer(resource_record(name, entry))
            if not matches and not zone.exists(name):
                reply.header.rcode = RCODE.NXDOMAIN
            break
    except (ValueError, KeyError, TypeError) as error:
        print(f"dns_server: bad record for {name}: {error}", file=sys.stderr, flush=True)
        reply = request.reply()
        reply.header.rcode = RCODE.SERVFAIL
    return reply


class QueryHandling:
    zone_path = None
    verbose = False

    def reply_bytes(self, data, limit):
        try:
            request = DNSRecord.parse(data)
        except Exception:  # dnslib raises several types for garbage; garbage gets no answer
            return None
        reply = answer(request, self.zone_path)
        if self.verbose:
            outcome = "dropped" if reply is None else RCODE[reply.header.rcode]
            print(f"dns_server: {request.q.qname} {QTYPE[request.q.qtype]} -> {outcome}", file=sys.stderr, flush=True)
        if reply is None:
            return None
        packed = reply.pack()
        if limit is not None and len(packed) > limit:
            header = DNSHeader(id=request.header.id, qr=1, aa=1, ra=1, rd=request.header.rd, tc=1)
            packed = DNSRecord(header, q=request.q).pack()
        return packed


class UDPHandler(QueryHandling, socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        packed = self.reply_bytes(data, UDP_PAYLOAD_LIMIT)
        if packed is not None:
            sock.sendto(packed, self.client_address)


class TCPHandler(QueryHandling, socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        try:
            while True:
                length_bytes = self.receive(2)
                if length_bytes is None:
                    return
                message = self.receive(struct.unpack("!H", length_bytes)[0])
                if message is None:
                    return
                packed = self.reply_bytes(message, None)
                if packed is None:
                    return
                self.request.sendall(struct.pack("!H", len(packed)) + packed)
        except OSError:
            return

    def receive(self, count):
        data = b""
        while len(data) < count:
            chunk = self.request.recv(count - len(data))
            if not chunk:
                return None
            data += chunk
        return data


class UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_servers(host, port):
    """Binds UDP and TCP on the same port; with port 0, retries until a port is free for both."""
    attempts = 20 if port == 0 else 1
    for attempt in range(attempts):
        udp = UDPServer((host, port), UDPHandler)
        chosen = udp.server_address[1]
        try:
            tcp = TCPServer((host, chosen), TCPHandler)
            return udp, tcp, chosen
        except OSError:
            udp.server_close()
            if attempt == attempts - 1:
                raise
    raise OSError("no free port")


def main():
    parser = argparse.ArgumentParser(description="Authoritative DNS server for tests, backed by a JSON zone file.")
    parser.add_argument("--port", type=int, required=True, help="UDP and TCP port; 0 picks a free one")
    parser.add_argument("--zone", required=True, help="JSON zone file, read again for every query")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--verbose", action="store_true", help="log every query to stderr")
    arguments = parser.parse_args()

    QueryHandling.zone_path = arguments.zone
    QueryHandling.verbose = arguments.verbose
    if ":" in arguments.host:
        UDPServer.address_family = socket.AF_INET6
        TCPServer.address_family = socket.AF_INET6
    udp, tcp, port = start_servers(arguments.host, arguments.port)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # A parent that spawns us from a worker thread (Foundation's Process in a Swift test, for one)
    # passes on its blocked signal mask, and a blocked SIGTERM would never reach the handler.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()

    print("ready" if arguments.port else f"ready {port}", flush=True)
    while not stop.wait(0.5):
        pass
    for server in (udp, tcp):
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
