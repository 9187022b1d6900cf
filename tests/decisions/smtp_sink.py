"""A tiny SMTP server on loopback that keeps what it receives, so reminder emails go through
smtplib and a real socket in tests (no patched functions, no outside service)."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class SmtpSink:
    """``with SmtpSink() as sink:`` listens on ``sink.port``; ``sink.messages`` fills up."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        sink = self

        class Conversation(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.say("220 sink ESMTP")
                while line := self.rfile.readline():
                    command = line.decode("ascii", "replace").strip().upper()
                    if command.startswith("EHLO"):
                        self.say("250-sink", "250 8BITMIME")
                    elif command.startswith("DATA"):
                        self.say("354 end with .")
                        sink.messages.append(message_from_bytes(self.read_data()))
                        self.say("250 kept")
                    elif command.startswith("QUIT"):
                        self.say("221 bye")
                        return
                    elif command.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                        self.say("250 ok")
                    else:
                        self.say("502 not here")

            def read_data(self) -> bytes:
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
                return b"".join(lines)

            def say(self, *lines: str) -> None:
                self.wfile.write("".join(f"{line}\r\n" for line in lines).encode("ascii"))

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Conversation)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self) -> SmtpSink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
