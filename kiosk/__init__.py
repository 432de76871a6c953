"""The kiosk pages: a blueprint with its own templates/ and static/ (presentation only).

`bp` (/kiosk) is the touchscreen: welcome, service, form with an on-screen keyboard, review,
ticket. `phone_bp` (no prefix) is the page the ticket's QR code opens: /t/<token>.
"""

from __future__ import annotations

import io
from functools import cache

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, render_template, request

from server.errors import NotFound
from server.i18n import LANGS, section

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")
phone_bp = Blueprint("phone", __name__, template_folder="templates")
blueprints = [bp, phone_bp]

QR_MAX_DATA = 300


@cache  # read-only: made once per page, not per request
def _texts(page: str) -> dict[str, dict[str, str]]:
    """A page's words from the one catalogue (server/i18n/*.json), {"id": {...}, "en": {...}}, for its
    script (the `i18n` JSON element)."""
    return {lang: section(page, lang) for lang in LANGS}


@bp.context_processor
def _kiosk_texts() -> dict[str, object]:
    return {"page_texts": _texts("kiosk")}


@phone_bp.context_processor
def _phone_texts() -> dict[str, object]:
    return {"page_texts": _texts("phone")}


@bp.get("/")
def kiosk_page():
    """The touchscreen kiosk: one page, every screen; drawn with the office's state (open or closed, the
    services' waiting, estimated wait and quota) so that a closed office never flashes its welcome."""
    snap = current_app.extensions["antrian"].snapshot(staff=False)
    state = {"office": snap.get("office", {}), "services": snap.get("services", [])}
    return render_template("kiosk/kiosk.html", state=state), 200, {"Cache-Control": "no-store"}


@bp.get("/qr.svg")
def qr_svg():
    """The QR code of a ticket's status URL as SVG; only URLs of this office's ticket pages."""
    data = request.args.get("data", "")
    prefix = current_app.extensions["antrian.settings"].office.public_url + "/t/"  # as issue() builds it
    if not data.startswith(prefix) or len(data) > QR_MAX_DATA:
        abort(400)
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    out = io.BytesIO()
    qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(out)
    # The URL carries the ticket's token: keep it out of shared caches.
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@phone_bp.get("/t/<token>")
def phone_page(token: str):
    """The visitor's phone: live status of one ticket; an Indonesian 404 page for an unknown token."""
    try:
        ticket = current_app.extensions["antrian"].ticket_status(token)
    except NotFound:
        return render_template("kiosk/phone_404.html"), 404
    return render_template("kiosk/phone.html", ticket=ticket, token=token), 200, {"Cache-Control": "no-store"}
