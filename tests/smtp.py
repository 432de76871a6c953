"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests: it keeps every message it receives."""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler that records (sender, recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            (envelope.mail_from, envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a fixed port of 127.0.0.1 that a test can start, stop and start again."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def wait_for_mail(self, count: int, timeout: float) -> list:
        """The inbox once it holds `count` messages; fails the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.inbox.messages) < count:
            assert time.monotonic() < deadline, "no escalation mail arrived"
            time.sleep(0.1)
        return self.inbox.messages


class GreetingRefused:
    """A real SMTP server on 127.0.0.1 that refuses every client in its greeting (`greeting`, e.g. "554 5.7.1
    Client host rejected: blocklisted", RFC 5321 3.1: "no SMTP service here"), as a relay does to an address it
    does not serve; it then answers QUIT with 221 and any other command with 503, and never reads an address.
    aiosmtpd's SMTP with its greeting replaced: `commands` counts what a client sent after it."""

    def __init__(self, port: int, greeting: str):
        from aiosmtpd.smtp import SMTP

        outer = self

        class Refusing(SMTP):
            async def _handle_client(self) -> None:  # aiosmtpd's session: the greeting, then its commands
                writer = self._writer
                try:  # a client that leaves (EOF) cancels this, as aiosmtpd's own session
                    await self.push(greeting)
                    while line := await self._reader.readline():
                        outer.commands.append(line.strip().decode(errors="replace"))
                        if line.strip().upper() == b"QUIT":
                            await self.push("221 2.0.0 Bye")
                            break
                        await self.push("503 5.5.1 No SMTP service here")
                finally:
                    writer.close()

        class Refuser(Controller):
            def factory(self):
                return Refusing(self.handler, **self.SMTP_kwargs)

        self.commands: list[str] = []
        self.controller = Refuser(Inbox(), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


# The [escalation] block of the tests' config.toml (conftest.write_config): mail off, to be switched on.
MAIL_OFF = 'enabled = false\nhost = "127.0.0.1"\nport = 25'


@contextmanager
def mailing_office(tmp_path: Path, handler, server_class=None, **server_kw) -> Iterator:
    """A real server (tests/live.py LiveServer, or `server_class`) whose escalation mail goes to a real SMTP server
    on 127.0.0.1 answering with aiosmtpd's `handler` (an Inbox, a refusing one): started, yielded, both stopped."""
    from conftest import write_config
    from live import LiveServer, free_port

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = write_config(tmp_path, {MAIL_OFF: f'enabled = true\nhost = "127.0.0.1"\nport = {port}'})
        server = (server_class or LiveServer)(config, **server_kw).start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        controller.stop()
