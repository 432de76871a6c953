"""Security headers on every response the app gives: pages, API answers, static files, errors.

The pages load nothing from elsewhere and carry no inline style or event handler, and one inline script
only (their CSS and JS are static files; the JSON a page starts from sits in a `<script type="application/json">`
block, which is data, never run), so the Content-Security-Policy can be strict:

- scripts, styles, fonts, sounds (the chime, the speech WAVs) and everything else only from this
  server, and the one inline script by its hash (server/templates/comeback.html: it reloads a page whose
  script or stylesheet did not come, so it must run when nothing after the HTML came); images also as
  `data:` URIs (the pages' empty favicon, `<link rel="icon" href="data:,">`);
- fetch and Socket.IO to this server (`ws:`/`wss:` for the WebSocket, which older browsers do not
  count as 'self');
- no plugins, no `<base>` that would re-point relative URLs, forms posting only here;
- never inside a frame of another site (`frame-ancestors 'none'`, and X-Frame-Options for browsers
  that predate it), no MIME sniffing, and no Referer: a phone's /t/<token> page address is the
  visitor's ticket and must not leak to another site.

And nothing but the static files and the speech's sounds (which set their own Cache-Control) is kept
in a browser's cache (`Cache-Control: no-store`): on the front office's shared PC, the back button or
the disk cache showed the day's visitors (names, phones, problems, complaints) after a logout.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface


def _inline_script_hash(template: Path) -> str:
    """The CSP source allowing the one script element of `template` (its text as the page has it)."""
    text = re.search(r"<script\b[^>]*>(.*?)</script>", template.read_text(encoding="utf-8"), re.S)
    if text is None:
        raise RuntimeError(f"{template}: no script element")
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.group(1).encode("utf-8")).digest()).decode("ascii") + "'"


COMEBACK_SCRIPT = _inline_script_hash(Path(__file__).parent / "templates" / "comeback.html")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {COMEBACK_SCRIPT}",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Added to every response that has not set its own (the static files and the speech set their Cache-Control)
_ADDED = tuple((name, name.lower(), value) for name, value in [*HEADERS.items(), ("Cache-Control", "no-store")])


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signer made once for the app's keys, not once a request (5 us of every
    request: each one opens the session, the kiosk's too). The same cookies, read and written alike; made again
    if the keys change."""

    _made: tuple[tuple[Any, ...], Any] | None = None  # (the keys, their signer)

    def get_signing_serializer(self, app: Flask) -> Any:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._made
        if made is None or made[0] != keys:
            made = self._made = (keys, super().get_signing_serializer(app))
        return made[1]


def register(app: Flask) -> None:
    """Add the security headers to every response of `app`; its session cookie's signer made once."""
    app.session_interface = SessionCookies()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # Each header the response does not already have, in this order: what setdefault one at a time did, with
        # the response's names read once (setdefault read them three times a header: 11 -> 3 us a response)
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        for name, lower, value in _ADDED:
            if lower not in present:
                headers.add(name, value)
        return response
