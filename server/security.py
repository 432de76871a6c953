"""Security headers on every response the app gives: pages, API answers, static files, errors.

The pages load nothing from elsewhere and carry no inline script, style or event handler (their CSS
and JS are static files; the JSON a page starts from sits in a `<script type="application/json">`
block, which is data, never run), so the Content-Security-Policy can be strict:

- scripts, styles, fonts, sounds (the chime, the speech WAVs) and everything else only from this
  server; images also as `data:` URIs (the pages' empty favicon, `<link rel="icon" href="data:,">`);
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

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
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


def register(app: Flask) -> None:
    """Add the security headers to every response of `app`."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        return response
