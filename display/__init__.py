"""The display pages: a blueprint with its own templates/ and static/ (presentation only).

`/display/` is the waiting-room TV: the ticket at every counter, the latest calls, how many
wait per service, a clock, a running text, and the spoken announcements. It renders from the
public snapshot plus the numbered Socket.IO events after it; every rule stays in server/.
Query parameters: `services=A,B` or `counters=1,2` (show only those; a 400 naming a bad one, or a list
naming none of the office's), `lang=id|en`,
`text=...` (running text), `media_seconds=N` (slideshow pace).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for

from server.forms import parse_id
from server.i18n import LANGS, section, t, word

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates", static_folder="static")

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg"}
LOGO_NAMES = ("logo.svg", "logo.png", "logo.jpg", "logo.webp")
MARQUEE_MAX = 500
MAX_COUNTER_ID = 999  # as config.toml allows

# UI text: Indonesian first, English second, from the one catalogue (server/i18n/*.json, keys
# `display.*`). The page script gets the same dict.
# (`display.error.*` are the server's own answers, not the page's.)
TEXT = {lang: {k: v for k, v in section("display", lang).items() if not k.startswith("error.")} for lang in LANGS}


def _csv(name: str) -> list[str]:
    return [part.strip() for part in request.args.get(name, "").split(",") if part.strip()]


def media_files() -> list[str]:
    """URLs of the images in display/static/media/ (the optional slideshow), sorted by name."""
    folder = STATIC / "media"
    if not folder.is_dir():
        return []
    return [
        url_for("display.static", filename=f"media/{p.name}")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in MEDIA_EXTENSIONS and not p.name.startswith(".")
    ]


def logo_url() -> str | None:
    """display/static/logo.{svg,png,jpg,webp} if the office put one there."""
    for name in LOGO_NAMES:
        if (STATIC / name).is_file():
            return url_for("display.static", filename=name)
    return None


def chime_url(settings) -> str:
    """The built-in chime, or [tts] chime (served by /api/tts/chime.wav; its version in the URL, so a TV
    fetches a changed file at once)."""
    if settings.tts.chime:
        try:
            version = Path(settings.tts.chime).stat().st_mtime_ns
        except OSError:
            version = 0
        return url_for("api.tts_chime", v=version)
    return url_for("display.static", filename="chime.wav")


class BadParameter(Exception):
    """A query parameter the page cannot use (answered 400, naming it; for `services`, the codes it names that the
    office does not have; for `counters`, the numbers it names when none is the office's)."""

    def __init__(self, name: str, unknown: tuple[str, ...] = ()):
        super().__init__(name)
        self.unknown = unknown


SERVICE_CODE = re.compile(r"[A-Z]{1,3}")  # as config.toml allows


def page_config() -> dict:
    """What the page script needs: filters, language, time zone, services and counters (no secrets)."""
    settings = current_app.extensions["antrian.settings"]
    lang = request.args.get("lang") or settings.office.language
    lang = lang if lang in TEXT else "id"
    counter_ids = {parse_id(c, maximum=MAX_COUNTER_ID) for c in _csv("counters")}
    if None in counter_ids:  # "x", "²", 5,000 digits: a TV showing the wrong counters helps nobody
        raise BadParameter("counters")
    # Refused too, as an unknown ?services= is: numbers none of which is the office's ("?counters=7" where there are
    # three), a TV that would show no counter and no call all day. A list that names one of them is taken whole: a
    # counter the admin removed later stays in a TV's address, and the TV (reloading itself) keeps showing the others.
    office_counters = {c.id for c in settings.counters}
    if counter_ids and not counter_ids & office_counters:
        raise BadParameter("counters", tuple(str(n) for n in sorted(counter_ids)))
    services = set(_csv("services"))
    known = {s.code for s in settings.services}
    unknown = tuple(sorted(services - known))
    # Refused: a code no service can have ("a", "1"), or codes none of which the office has ("?services=Z"): a TV
    # that would show no call all day, and nobody would know why. A list that names one of them is taken whole: a
    # service the admin removed later stays in a TV's address, and the TV (reloading itself) keeps showing the others.
    if any(not SERVICE_CODE.fullmatch(code) for code in unknown) or (services and not services & known):
        raise BadParameter("services", unknown)
    media_seconds = parse_id(request.args.get("media_seconds", "10"), maximum=10**6) or 10
    media_seconds = max(3, min(600, media_seconds))
    return {
        "lang": lang,
        "lang_fixed": request.args.get("lang") in TEXT,  # else it follows [office] language, live
        "text": TEXT[lang],
        "texts": TEXT,  # both: an admin's change of [office] language reaches an open TV without a reload
        "running_text": {code: word("page.display.running_text", code) for code in LANGS},
        "max_calls": settings.queue.max_calls,
        "timezone": settings.office.timezone,
        "filter": {"counters": sorted(counter_ids), "services": sorted(services)},
        "chime": chime_url(settings),
        "media": media_files(),
        "media_seconds": media_seconds,
        "services": [{"code": s.code, "name": s.name, "prefix": s.prefix} for s in settings.services],
        "counters": [{"id": c.id, "name": c.name, "services": list(c.services)} for c in settings.counters],
    }


@bp.errorhandler(BadParameter)
def _bad_parameter(err: BadParameter):
    if str(err) == "services":
        codes = [s.code for s in current_app.extensions["antrian.settings"].services]
        unknown = ", ".join(code[:20] for code in err.unknown[:10]) + (", …" if len(err.unknown) > 10 else "")
        params = {"name": "services", "unknown": unknown, "codes": ", ".join(codes), "example": ",".join(codes[:2])}
        text = "".join(t("display.error.services", lang, **params) + "\n" for lang in LANGS)
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}
    if err.unknown:  # well-formed counter numbers, none of them the office's
        ids = [str(c.id) for c in current_app.extensions["antrian.settings"].counters]
        unknown = ", ".join(err.unknown[:10]) + (", …" if len(err.unknown) > 10 else "")
        params = {"name": "counters", "unknown": unknown, "ids": ", ".join(ids), "example": ",".join(ids[:2])}
        text = "".join(t("display.error.counters_unknown", lang, **params) + "\n" for lang in LANGS)
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}
    text = "".join(t("display.error.counters", lang, name=str(err), maximum=MAX_COUNTER_ID) + "\n" for lang in LANGS)
    return text, 400, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/")
def display_page():
    """The waiting-room TV page."""
    page = page_config()
    office_name = current_app.extensions["antrian.settings"].office.name
    custom = request.args.get("text", "").strip()[:MARQUEE_MAX]
    marquee = custom or page["text"]["marquee"].format(office=office_name)
    page["marquee_follows_office"] = not custom  # the default text names the office: it follows a rename
    page["now"] = int(current_app.extensions["antrian"].clock().timestamp() * 1000)  # the clock's (display.js)
    return render_template("display/display.html", page=page, t=page["text"], tr=word, marquee=marquee, logo=logo_url())
