"""Local ends for the alert channels' tests, on real sockets: a webhook receiver (it
answers each POST with the next status it is given) and a plain SMTP relay that keeps
every message."""

from __future__ import annotations

import json
import socketserver
import threading
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list[Any] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.bodies.append(json.loads(self.rfile.read(length) or b"null"))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                text = b"ok" if status == 200 else b"rate_limited"
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpRelay:
    """Enough of SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; no login, no TLS."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        relay = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 relay ready\r\n")
                while line := self.rfile.readline():
                    command = line.decode("ascii", "replace").strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.wfile.write(b"250 relay\r\n")
                    elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                        self.wfile.write(b"250 ok\r\n")
                    elif command == "DATA":
                        self.wfile.write(b"354 go on\r\n")
                        data = b""
                        while (part := self.rfile.readline()) not in (b".\r\n", b""):
                            data += part[1:] if part.startswith(b"..") else part
                        relay.messages.append(message_from_bytes(data))
                        self.wfile.write(b"250 queued\r\n")
                    elif command == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"502 not here\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
