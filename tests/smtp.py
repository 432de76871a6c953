"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests: it keeps every message it receives."""

from __future__ import annotations

import email
import time
from email import policy

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
