"""The kiosk pages: a blueprint with its own templates/ and static/ (presentation only).

`bp` (/kiosk) is the touchscreen: welcome, service, form with an on-screen keyboard, review,
ticket. `phone_bp` (no prefix) is the page the ticket's QR code opens: /t/<token>, with the
satisfaction survey once the ticket is served. `survey_bp` (/survey) is the survey's tablet by the
exit: the visitor's ticket number and the last four digits of their phone, then the nine questions.
"""

from __future__ import annotations

import io
import math
import re
from collections import OrderedDict
from functools import cache

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, render_template, request

from server.errors import NotFound, TooMany
from server.i18n import LANGS, section, word

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")
phone_bp = Blueprint("phone", __name__, template_folder="templates")
survey_bp = Blueprint("survey", __name__, url_prefix="/survey", template_folder="templates")
blueprints = [bp, phone_bp, survey_bp]

# A ticket's page, as issue() builds its URL (the A4 form's survey code adds "?survey=1").
QR_PATH = re.compile(r"/t/([A-Za-z0-9_-]{1,64})(\?survey=1)?")
QR_KEPT = 64  # drawn codes kept: a kiosk asks for each ticket's once, a printed form's a few times
# Codes not kept that one device may have drawn a minute (a kiosk draws one a ticket; staff and the listed
# kiosk addresses are not counted): 60 ms of the loop each, and a ticket's token stays valid, so one device
# cycling through tokens it had seen drew 16 a second, and every screen waited.
QR_DRAWS_PER_MINUTE = 20


@cache  # read-only: made once per page, not per request
def _texts(page: str) -> dict[str, dict[str, str]]:
    """A page's words from the one catalogue (server/i18n/*.json), {"id": {...}, "en": {...}}, for its
    script (the `i18n` JSON element)."""
    return {lang: section(page, lang) for lang in LANGS}


def _words(texts: dict[str, dict[str, str]]) -> dict[str, object]:
    """A template's words: `page_texts` for its script; `w(key)`, the Indonesian word of a `data-i18n` key,
    which the page shows until its script fills in the language; `tr(key, lang, **params)`, any
    catalogue key (the words no script reads: titles, fixed labels)."""
    return {"page_texts": texts, "w": texts["id"].__getitem__, "tr": word}


@cache
def _kiosk_page_texts() -> dict[str, dict[str, str]]:
    """The kiosk's words, and the server's refusals (`error.*`) with the opening they name (`hours.*`),
    full keys: a refusal on the screen follows the language toggle (kiosk.js serverWords)."""
    return {
        lang: {
            **words,
            **{f"error.{k}": v for k, v in section("error", lang).items()},
            **{f"hours.{k}": word(f"hours.{k}", lang) for k in ("reopens", "no_reopening")},
        }
        for lang, words in _texts("kiosk").items()
    }


@bp.context_processor
def _kiosk_texts() -> dict[str, object]:
    return _words(_kiosk_page_texts())


@cache
def _survey_texts(own: str | None) -> dict[str, dict[str, str]]:
    """A page's own words (without their prefix) and the survey form's (`survey.*`, with it)."""
    return {
        lang: {**(section(own, lang) if own else {}), **{f"survey.{k}": v for k, v in section("survey", lang).items()}}
        for lang in LANGS
    }


@cache
def _survey_page_texts(own: str | None) -> dict[str, dict[str, str]]:
    """A survey page's words (_survey_texts) and the refusals the survey's routes can answer it with
    (`error.*` of server.survey_api.SURVEY_REFUSALS, full keys; not the whole section, 14.5 KB of a page
    opened on mobile data): a refusal on the screen, at a question or above the button, follows the
    language toggle (survey.js and phone.js reword), as the kiosk's does."""
    from server.survey_api import SURVEY_REFUSALS

    return {
        lang: {**words, **{f"error.{code}": word(f"error.{code}", lang) for code in SURVEY_REFUSALS}}
        for lang, words in _survey_texts(own).items()
    }


@phone_bp.context_processor
def _phone_texts() -> dict[str, object]:
    return _words(_survey_page_texts("phone"))


@survey_bp.context_processor
def _tablet_texts() -> dict[str, object]:
    return _words(_survey_page_texts(None))


@bp.get("/")
def kiosk_page():
    """The touchscreen kiosk: one page, every screen; drawn with the office's state (open or closed, the
    services' waiting, estimated wait and quota) so that a closed office never flashes its welcome, and
    with whether this device may take numbers at all (`[kiosk] addresses`): one that may not says so to
    the staff at once, with its address, instead of inviting a visitor to a form that gives no number."""
    from server.api import kiosk_device

    snap = current_app.extensions["antrian"].snapshot(staff=False)
    state = {
        "office": snap.get("office", {}),
        "services": snap.get("services", []),
        "day": snap.get("day"),
        "announcement": snap.get("announcement"),  # the office's Pengumuman: a band on the first screen
    }
    now = int(current_app.extensions["antrian"].clock().timestamp() * 1000)  # the server's clock (kiosk.js)
    page = render_template("kiosk/kiosk.html", state=state, device=kiosk_device(), now=now)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/qr.svg")
def qr_svg():
    """The QR code of a ticket's page (its status URL) as SVG: only for this office's tickets.

    Drawing one costs 10-40 ms of the server's one loop in pure Python, so a device cannot have codes
    drawn for any text it likes: the URL must be `public_url` + /t/ + the token of a ticket there is
    (else 400, or 404 for no such ticket), and the last QR_KEPT codes are kept."""
    data = request.args.get("data", "")
    prefix = current_app.extensions["antrian.settings"].office.public_url  # as issue() builds it
    found = QR_PATH.fullmatch(data[len(prefix) :]) if data.startswith(prefix) else None
    if found is None:
        abort(400)
    try:
        current_app.extensions["antrian"].ticket_status(found.group(1))
    except NotFound:
        abort(404)
    svg = _QR_DRAWN.get(data)
    if svg is None:
        if not _may_draw():
            raise TooMany()
        svg = _QR_DRAWN[data] = _draw_qr(data)
        while len(_QR_DRAWN) > QR_KEPT:
            _QR_DRAWN.popitem(last=False)
    else:
        _QR_DRAWN.move_to_end(data)
    # The URL carries the ticket's token: keep it out of shared caches.
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


_QR_DRAWN: OrderedDict[str, bytes] = OrderedDict()  # the last QR_KEPT codes drawn, the least recent first


def _may_draw() -> bool:
    """Whether this request may have a code drawn that is not kept: staff and a listed kiosk always; any
    other device within its QR_DRAWS_PER_MINUTE."""
    from server.auth import RateLimiter, current_user
    from server.limits import device_key

    kiosk = current_app.extensions["antrian.settings"].kiosk
    if current_user() is not None or (kiosk.addresses and kiosk.allows(request.remote_addr)):
        return True
    limiter = current_app.extensions.setdefault("antrian.qr_limiter", RateLimiter(QR_DRAWS_PER_MINUTE))
    return limiter.allow(device_key(request.remote_addr or "?"))


def _draw_qr(data: str) -> bytes:
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    out = io.BytesIO()
    qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(out)
    return out.getvalue()


@phone_bp.get("/t/")
def phone_page_without_token():
    """/t/ with the token cut off (a QR code read in part): the same Indonesian 404 page."""
    return render_template("kiosk/phone_404.html"), 404


# A ticket in one of these may still change (phone.js FINISHED: the others never will).
PHONE_LIVE = ("waiting", "called", "serving")
PHONE_SERVED = ("resolved", "escalated", "closed")  # its survey opens (server/core.py SERVED)
# The phone page without its script (none, or a browser too old for it: Opera Mini, UC Browser's lite mode, an
# old Android's built-in browser) reloads itself this often while its ticket may change: a reload costs what one
# of the script's reads of the ticket costs (GET /api/tickets/<token>, which the script makes at every event of
# the office), and the request budget of [limits] applies to it as to any request.
PHONE_REFRESH_SECONDS = 20
# why a call was withdrawn (the status view's `withdrawn.reason`, docs/api.md): each said in the visitor's terms
WITHDRAWN_REASONS = ("idle", "freed", "signed_out")
# ended unserved, the visitor to come back: the office closed now, the note names its next opening (`reopens`)
COME_BACK = ("expired", "cancelled", "no_show")
# a cancelled or no-show number of an earlier day (`past_day`) cannot be brought back: take a new one (phone.js noteKey)
PAST_DAY_NOTES = ("cancelled", "no_show")


def note_key(ticket: dict) -> str:
    """The note's key under the card: its status's, or of a cancelled or no-show number of an earlier day the one
    that says to take a new number ("ask the front office" was said of yesterday's number, the office closed)."""
    s = ticket["status"]
    if s == "waiting" and ticket.get("no_service"):  # nobody will call it today: what to do, not the beep's promise
        return "note_waiting_over"
    return f"note_{s}_past" if s in PAST_DAY_NOTES and ticket.get("past_day") else f"note_{s}"


def phone_words(ticket: dict, lang: str, max_calls: int) -> dict[str, object]:
    """What phone.js render() writes into the page, as the server draws it first: the status in words, the call
    and what missing it does, the place in line and the wait, the skip, the note. A browser that does not run
    the script shows these (docs/kiosk.md, "Browsers"); one that does writes the same words over them. The call
    withdrawn (its counter freed) replaces the skip's note, which spoke of an earlier call."""
    texts = _survey_page_texts("phone")[lang]

    def t(key: str, **params: object) -> str:
        return texts[key].format(**params) if params else texts[key]

    s = ticket["status"]
    counter = ticket.get("counter_name") or ""
    out: dict[str, object] = {"status": t(s), "note": "" if s == "called" else t(note_key(ticket), counter=counter)}
    reopens = ticket.get("reopens") if s in COME_BACK or (s == "waiting" and ticket.get("no_service")) else None
    if reopens:  # the office closed now: when it opens next, to come back (a new number, the front office)
        out["note"] = f"{out['note']} {t('note_reopens', when=reopens[lang])}"
    if s == "called":
        before, _, after = t("go").partition("{counter}")
        calls, label = ticket.get("calls") or 0, ticket["label"]
        last_call = calls >= max_calls
        if last_call and max_calls > 1:
            sub = t("go_sub_last", label=label, n=calls)
        else:
            sub = t("go_sub_n", label=label, n=calls) if calls > 1 else t("go_sub", label=label)
        miss = t("called_last_chance") if ticket.get("last_chance") else t("called_last_call") if last_call else ""
        out.update(go=(before, counter, after), sub=sub, miss=miss)
    if s == "waiting":
        if ticket.get("position", 0) > 0:
            ahead = ticket.get("ahead", 0)
            out["position"] = (
                t("position", n=ticket["position"])
                + " · "
                + (t("ahead_some", n=ahead) if ahead > 0 else t("ahead_none"))
            )
            minutes = math.ceil((ticket.get("estimated_wait_s") or 0) / 60)
            out["wait"] = t("wait_min", n=minutes) if minutes > 0 else t("wait_now")
            if ticket.get("no_service") in ("ended", "closed"):  # nobody will call it today: no minutes
                out["wait"] = t(f"wait_{ticket['no_service']}")
        else:
            out["position"], out["wait"] = t("position_updating"), ""
        withdrawn = ticket.get("withdrawn")
        if withdrawn:  # its latest call was withdrawn (its counter freed): said instead of an earlier skip, and why
            reason = withdrawn.get("reason")
            key = f"note_withdrawn_{reason}" if reason in WITHDRAWN_REASONS else "note_withdrawn"
            out["withdrawn"] = t(key, counter=withdrawn.get("counter_name") or "")
        elif ticket.get("requeues", 0) > 0:
            out["skipped"] = t("note_skipped_last" if ticket.get("last_chance") else "note_skipped")
    return out


@phone_bp.get("/t/<token>")
def phone_page(token: str):
    """The visitor's phone: live status of one ticket; an Indonesian 404 page for an unknown token. Drawn with
    its words (phone_words), in the language the script would show (`?lang=`, else the office's), so that a
    browser without the script reads them; there it reloads itself while the ticket may change, as `?lite=1`:
    the page without its script, its survey and their data."""
    service = current_app.extensions["antrian"]
    try:
        ticket = service.ticket_status(token)
    except NotFound:
        return render_template("kiosk/phone_404.html"), 404
    lite = request.args.get("lite") == "1"  # the page as its reload without the script asks for it
    survey = None if lite else service.survey.questionnaire()
    settings = current_app.extensions["antrian.settings"]
    # a ticket's calls, the recalls included: the phone says which call is the last (as the TV does)
    max_calls = settings.queue.max_calls
    office_lang = settings.office.language if settings.office.language in LANGS else "id"
    lang = request.args.get("lang") if request.args.get("lang") in LANGS else office_lang
    texts = _survey_page_texts("phone")
    page = render_template(
        "kiosk/phone.html",
        ticket=ticket,
        token=token,
        survey=survey,
        max_calls=max_calls,
        lang=lang,
        other_lang="id" if lang == "en" else "en",
        w=texts[lang].__getitem__,
        words=phone_words(ticket, lang, max_calls),
        refresh=PHONE_REFRESH_SECONDS if ticket["status"] in PHONE_LIVE else None,
        lite=lite,
        # the survey is the script's: a served ticket of today says where else it can be answered
        survey_elsewhere=ticket["status"] in PHONE_SERVED and ticket.get("day") == service.unit.day(),
    )
    return page, 200, {"Cache-Control": "no-store"}


@survey_bp.get("/")
def survey_page():
    """The survey's tablet by the exit (touch-first like the kiosk): the ticket number and the phone's last
    four digits on on-screen pads (or a scanned ticket QR code), the nine questions one per screen, the
    optional profile and suggestion, thanks, and back to the start after an idle time."""
    settings = current_app.extensions["antrian.settings"]
    prefixes = list(dict.fromkeys(s.prefix for s in settings.services))
    survey = current_app.extensions["antrian"].survey.questionnaire()
    page = render_template("kiosk/survey.html", survey=survey, prefixes=prefixes)
    return page, 200, {"Cache-Control": "no-store"}
