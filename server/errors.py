"""Every refusal the server tells people about, as one family of exceptions. Plain Python: no Flask.

Each carries `code` (the key of its message in server/messages.py), `fields` (each field at fault ->
the code of its message, a Coded when its words name values, or its own words in both languages: a
Localized) and `params` (the values its message names). What each kind answers over HTTP is decided in one place, server.api.ERROR_STATUS:

    AntrianError            a refusal
    ├── BadRequest          400  the request itself is malformed (not JSON, a bad request id)
    ├── Forbidden           403  not allowed for this login or device
    │   └── LoginRequired   401  no login, or a login refused
    ├── NotFound            404  no such ticket, counter, service or account
    ├── QueueError          409  a rule of the queue, the office or the accounts refuses it now
    │   ├── InvalidTransition    the ticket's status does not allow the action
    │   ├── CounterBusy          the counter already holds a ticket
    │   └── Changed              what the press was made for is gone; kept for its request_id
    ├── FormIncomplete      422  fields missing or bad
    └── TooMany             429  too many requests or attempts: wait
"""

from __future__ import annotations


class AntrianError(Exception):
    """A refusal: `code` picks the message, `fields` the fields at fault, `params` fill the message."""

    code = "refused"

    def __init__(self, code: str | None = None, fields: dict[str, str] | None = None, /, **params: object):
        self.code = code or self.code
        self.fields = fields or {}
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class BadRequest(AntrianError):
    """The request itself is malformed (HTTP 400)."""

    code = "bad_json"


class Forbidden(AntrianError):
    """Not allowed for this login, role or device (HTTP 403)."""

    code = "forbidden"


class LoginRequired(Forbidden):
    """No login, or a login refused (HTTP 401)."""

    code = "login_required"


class NotFound(AntrianError):
    """No such ticket, counter, service or account (HTTP 404)."""

    code = "not_found"


class QueueError(AntrianError):
    """A command the rules refuse in the present state: the queue's, the office's, the accounts' (HTTP 409)."""


class InvalidTransition(QueueError):
    """The ticket's status does not allow this action (HTTP 409)."""

    code = "invalid_transition"


class CounterBusy(QueueError):
    """The counter already holds a ticket (HTTP 409)."""

    code = "counter_busy"


class Changed(QueueError):
    """What an officer's press was made for is gone (HTTP 409): the counter holds another ticket than the page showed
    (ticket_changed, counter_changed). Unlike another refusal it is kept for the press's request_id, in the same
    transaction (UnitOfWork): the press is refused for good, and a repeat of it, sent again by the page or held on
    the network until the counter is back as it was, answers this refusal instead of acting then. Its params are
    text or Localized (what `kept` stores as JSON and `from_kept` makes again)."""

    def kept(self) -> dict[str, object]:
        """The refusal as JSON, for the requests table."""
        params = {k: [v.id_text, v.en_text] if isinstance(v, Localized) else v for k, v in self.params.items()}
        return {"error": self.code, "params": params}

    @classmethod
    def from_kept(cls, body: dict[str, object]) -> Changed:
        """The refusal `kept` stored."""
        params = body.get("params") or {}
        assert isinstance(params, dict)
        return cls(str(body["error"]), **{k: Localized(*v) if isinstance(v, list) else v for k, v in params.items()})


class FormIncomplete(AntrianError):
    """Required fields are missing or bad; `fields` maps each to a message code (a Coded with the values its
    words name), or to its own words (a Localized: the config parser's problem, config_invalid) (HTTP 422)."""

    code = "form_incomplete"

    def __init__(self, fields: dict[str, str | Localized], code: str | None = None, /, **params: object):
        super().__init__(code, fields, **params)


class TooMany(AntrianError):
    """Too many requests or attempts from one device: wait (HTTP 429)."""

    code = "rate_limited"


class Localized:
    """A param's value in both languages (a date: "Senin, 8 Desember 2026" / "Monday, 8 December 2026"):
    the message catalogue's reader (server/messages.py) takes the one of the answer's language."""

    def __init__(self, id_text: str, en_text: str):
        self.id_text = id_text
        self.en_text = en_text

    def __str__(self) -> str:
        return self.id_text


class Coded(str):
    """A field's message code with the values its words name: Coded("too_long", max=100, n=120) says "Terlalu
    panjang: paling banyak 100 karakter; yang diketik 120." (server.messages.field_message). It is the code
    itself to whatever compares codes (== "too_long", a dict key, JSON), so the code stays what it was."""

    params: dict[str, object]

    def __new__(cls, code: str, /, **params: object) -> Coded:
        made = super().__new__(cls, code)
        made.params = params
        return made

    def __repr__(self) -> str:
        return f"Coded({str(self)!r}, {self.params!r})"


def too_long(limit: int, typed: int) -> Coded:
    """The one refusal of a text past its limit: `too_long`, saying the limit and the length typed (characters)."""
    return Coded("too_long", max=limit, n=typed)
