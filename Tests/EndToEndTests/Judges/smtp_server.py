#!/usr/bin/env python3
"""A small SMTP server for tests (aiosmtpd) that writes every message it accepts to a directory.

Usage: python3 smtp_server.py --maildir DIR [--port 0] [--host 127.0.0.1]
           [--tls-cert PEM --tls-key PEM (--starttls | --implicit-tls)]
           [--auth USER:PASSWORD [--only-mechanism PLAIN|LOGIN]] [--reject ADDRESS ...] [--mute]

Each accepted message becomes DIR/<n>.json, written to a temporary name and renamed, so a reader never
sees half a file: {"mail_from", "rcpt_tos", "from", "to", "subject", "body" (decoded), "raw",
"transfer_encoding", "tls" (whether the session was encrypted), "auth" ([user, mechanism] or null)}.

--starttls offers STARTTLS and refuses mail before it; --implicit-tls speaks TLS from the first byte.
--auth requires a login with these credentials (over TLS when TLS is configured); --only-mechanism
advertises just one of PLAIN and LOGIN. --reject answers RCPT TO for that address with 550. --mute
accepts connections and never says a word, for clients' time limits.

Prints "ready PORT" on stdout once listening. Exits on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

MECHANISMS = {"PLAIN", "LOGIN"}


class Mute(asyncio.Protocol):
    """Keeps the connection open and sends nothing, not even the greeting."""


class Recorder:
    def __init__(self, maildir, rejected):
        self.maildir = maildir
        self.rejected = {address.lower() for address in rejected}
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        transport = server.transport
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "date": str(message["Date"]),
            "message_id": str(message["Message-ID"]),
            "transfer_encoding": str(message["Content-Transfer-Encoding"]),
            "body": message.get_content(),
            "raw": envelope.original_content.decode("utf-8", "replace"),
            "tls": transport is not None and transport.get_extra_info("ssl_object") is not None,
            "auth": getattr(session, "login", None),
        }
        name = os.path.join(self.maildir, "%04d-%d.json" % (next(self.counter), os.getpid()))
        with open(name + ".tmp", "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(name + ".tmp", name)
        return "250 OK message accepted"


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
            session.login = [user, mechanism]
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return authenticate


async def serve(arguments):
    context = None
    if arguments.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(arguments.tls_cert, arguments.tls_key)
    recorder = Recorder(arguments.maildir, arguments.reject)
    parameters = {"hostname": "smtp.test"}
    if arguments.starttls:
        parameters.update(tls_context=context, require_starttls=True)
    if arguments.auth:
        user, _, password = arguments.auth.partition(":")
        excluded = MECHANISMS - {arguments.only_mechanism} if arguments.only_mechanism else set()
        parameters.update(
            authenticator=authenticator_for(user, password),
            auth_required=True,
            # With implicit TLS aiosmtpd cannot tell that the session is encrypted; STARTTLS is enforced.
            auth_require_tls=arguments.starttls,
            auth_exclude_mechanism=excluded,
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        Mute if arguments.mute else lambda: SMTP(recorder, **parameters),
        host=arguments.host,
        port=arguments.port,
        ssl=context if arguments.implicit_tls else None,
    )
    print("ready %d" % server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # The test process starts this server from a thread whose blocked signal mask the child inherits;
    # a blocked SIGTERM would never stop it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    await stop.wait()
    server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--starttls", action="store_true")
    mode.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    parser.add_argument("--only-mechanism", choices=sorted(MECHANISMS))
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--mute", action="store_true")
    arguments = parser.parse_args()
    if (arguments.starttls or arguments.implicit_tls) and not (arguments.tls_cert and arguments.tls_key):
        parser.error("--starttls and --implicit-tls need --tls-cert and --tls-key")
    os.makedirs(arguments.maildir, exist_ok=True)
    asyncio.run(serve(arguments))


if __name__ == "__main__":
    sys.exit(main())
