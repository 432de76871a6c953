"""The counter pages: a blueprint with its own templates/ and static/ (presentation only).

`/counter/` is the helpdesk officer's page (call, recall, skip, serve, resolve, escalate,
transfer); `/counter/front` is the front office's page (register a visitor by hand, cancel,
reprint, alerts). Both log in through the API and render from the staff snapshot plus the
numbered Socket.IO events after it; every rule stays in server/.
"""

import math
import re
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from functools import partial, wraps
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from server.i18n import page_pairs, t, word

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates", static_folder="static")

ALL_STAFF = ("officer", "frontoffice", "admin")
# The staff navigation bar, in order: (endpoint, text key, Indonesian text, roles that see it).
NAV = (
    ("counter.counter_page", "nav.counter", t("staff.nav.counter"), ("officer", "admin")),
    ("counter.front_page", "nav.front", t("staff.nav.front"), ("frontoffice", "admin")),
    ("counter.escalations_page", "nav.escalations", t("staff.nav.escalations"), ALL_STAFF),
    ("counter.complaints_page", "nav.complaints", t("staff.nav.complaints"), ALL_STAFF),
    ("counter.recap_page", "nav.recap", t("staff.nav.recap"), ALL_STAFF),
    ("counter.guestbook_page", "nav.guestbook", t("staff.nav.guestbook"), ALL_STAFF),
    ("counter.dashboard_page", "nav.dashboard", t("staff.nav.dashboard"), ALL_STAFF),
    ("counter.skm_page", "nav.skm", t("staff.nav.skm"), ALL_STAFF),
    ("counter.admin_page", "nav.admin", t("staff.nav.admin"), ("admin",)),
)
# The staff pages the server draws in the page's language (page_lang), not built on base.html.
STANDALONE = ("counter.recap_page", "counter.guestbook_page", "counter.dashboard_page", "counter.skm_page")
# Each page's words (server/i18n/*.json): the shared `staff.*` and its own section, by endpoint.
PAGE_TEXTS = {
    "counter.counter_page": "counter",
    "counter.front_page": "front",
    "counter.escalations_page": "escalations",
    "counter.complaints_page": "complaints",
    "counter.admin_page": "admin",
}


@bp.context_processor
def _staff_nav() -> dict[str, Any]:
    """The navigation bar of every staff page: the links the logged-in role may open, this page marked.

    Without a login (the page shows its login form) every link is listed; the page's script hides the
    ones the role that logs in may not open (common.js, applyNav)."""
    from server.auth import current_user

    user = current_user()
    role = user["role"] if user else None
    items = [
        {
            "href": url_for(endpoint),
            "key": key,
            "text": text,
            "roles": roles,
            "current": request.endpoint == endpoint,
            "hidden": role is not None and role not in roles,
        }
        for endpoint, key, text, roles in NAV
    ]
    # the bar of the pages not built on base.html names who is logged in: the full name when the account has
    # one (what the A4 form is signed with), else the login name
    name = (user.get("full_name") or user["username"]) if user else None
    return {"staff_nav": items, "staff_user": user["username"] if user else None, "staff_name": name}


@bp.context_processor
def _page_texts() -> dict[str, Any]:
    """The words the page's script reads (common.js reads them from the `i18n` JSON element)."""
    texts = page_pairs(PAGE_TEXTS.get(request.endpoint or "", "staff"))
    # w(key): the Indonesian word of a `data-i18n` key, shown until the script fills in the language;
    # tr(key, lang, **params): any catalogue key (titles, the server-drawn pages' words)
    return {"page_texts": texts, "w": lambda key: texts[key][0], "tr": word}


# The language a staff page was last switched to (common.js keeps it in this cookie as well as in the
# browser's storage), so that the pages the server draws (recap, dashboard, SKM) follow it.
LANG_COOKIE = "antrian_lang"


def page_lang() -> str:
    """The language of a page the server draws: `?lang=` (its own switch), else the language chosen on the
    staff pages (the `antrian_lang` cookie), else config.toml's [office] language."""
    settings = current_app.extensions["antrian.settings"]
    for value in (request.args.get("lang"), request.cookies.get(LANG_COOKIE), settings.office.language):
        if value in ("id", "en"):
            return value
    return "id"


def counted(value: int, lang: str = "id") -> str:
    """A count as an office writes it: "1.234" in Indonesian (the point between thousands), "1,234" in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def grouped_params(params: dict[str, object], lang: str) -> dict[str, object]:
    """The whole numbers among a text's `params` as `counted` writes them (a bool stays as it is)."""
    return {k: counted(v, lang) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}


def words_in(lang: str) -> Callable[..., str]:
    """`tr` of a page drawn in `lang`: `tr(key, **params)`, or `tr(key, "id", …)` for a word that stays
    Indonesian whatever the page's language (the recap's document: the SOP's form). A whole number among the
    params is written with its thousands grouped in the text's language ("2.345 penanganan")."""

    def tr(key: str, in_lang: str | None = None, **params: object) -> str:
        return word(key, in_lang or lang, **grouped_params(params, in_lang or lang))

    return tr


@bp.context_processor
def _standalone_bar() -> dict[str, Any]:
    """What the bar of the pages the server draws (recap, dashboard, SKM) shows besides the links: the
    switch to the other language (this page again with `?lang=`) and the office's clock, as the other staff
    pages' bars do."""
    from shared.dates import zone_abbreviation

    if request.endpoint not in STANDALONE:
        return {}
    lang = page_lang()
    other = "en" if lang == "id" else "id"
    args = request.args.to_dict()
    args["lang"] = other
    service = current_app.extensions["antrian"]
    tz = service.settings.office.tz
    now = service.clock().astimezone(tz)  # the server's clock (nav.js keeps it going from this)
    zone = zone_abbreviation(now)
    return {
        "page_lang": lang,
        "other_lang": other,
        "lang_href": "?" + urlencode(args),
        "clock": {
            "text": f"{now:%H}{'.' if lang == 'id' else ':'}{now:%M} {zone}",
            "zone": zone,
            "timezone": getattr(tz, "key", "Asia/Jakarta"),
            "now": int(now.timestamp() * 1000),
        },
    }


_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")  # controls, spaces, backslashes (a browser reads a backslash as "/")


def safe_next(value: object) -> str | None:
    """`value` when it is a path on this server ("/counter/recap?from=…"), else None.

    The page to go back to after a login comes from the address bar, so it must not send anyone to
    another site: only one leading "/", no "//" anywhere, no scheme or host, no backslash, space or
    control character."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return None
    if "//" in value or _UNSAFE_NEXT.search(value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return value


def page_config() -> dict:
    """What the page scripts need from the settings in force (no secrets): counters, services, classes, limits,
    and the `stamp` the staff snapshot compares (server/service/views.py `page_config`)."""
    return current_app.extensions["antrian"].page_config()


def _logged_in(page: Callable) -> Callable:
    """A staff page: without a login, the counter page's login form, which comes back here after it."""

    @wraps(page)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from server.auth import current_user

        if current_user() is None:
            here = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
            back = safe_next(here)
            return redirect("/counter/" + (f"?next={quote(back, safe='')}" if back else ""))
        return page(*args, **kwargs)

    return wrapper


@bp.get("/")
def counter_page():
    """The officer's page at a counter (loket); also the staff's login page (`?next=` a page to go back to)."""
    return render_template("counter/counter.html", page={**page_config(), "next": safe_next(request.args.get("next"))})


@bp.get("/front")
def front_page():
    """The front office's page: register visitors by hand, today's tickets, cancel, reprint, alerts."""
    return render_template("counter/front.html", page=page_config())


@bp.get("/form/<token>")
@_logged_in
def form_a4(token: str):
    """SOP step 12: the completed Formulir Konsultasi as an A4 page, laid out like the paper form, to print."""
    service = current_app.extensions["antrian"]
    view = service.form_copy(token)
    if view is None:
        abort(404)
    # The satisfaction survey's QR code (the phone page, its questions at once) while the survey can be
    # answered: served, on the ticket's day (a copy printed before the service or on a later day has none).
    survey_qr = None
    if service.survey.state(token)["open"]:
        survey_url = f"{service.settings.office.public_url}/t/{token}?survey=1"
        survey_qr = url_for("kiosk.qr_svg", data=survey_url)
    return render_template("counter/form_a4.html", form=view, survey_qr=survey_qr)


def _staff_range(default_days: int) -> tuple[str, str, dict[str, str]]:
    """from/to of a report page (default: the last `default_days` local days) and their problems."""
    from datetime import timedelta

    from server import reports

    service = current_app.extensions["antrian"]
    today = service.day()
    start = (date.fromisoformat(today) - timedelta(days=default_days - 1)).isoformat()
    day_from = request.args.get("from") or start
    day_to = request.args.get("to") or today
    return day_from, day_to, reports.check_range(day_from, day_to)


# The report pages' fields other than the period, by the label their forms give them (a refusal names it).
FIELD_LABELS = {
    "service": "page.recap.service",
    "category": "page.recap.category",
    "outcome": "page.recap.outcome",
    "officer": "page.recap.officer",
    "group": "page.dashboard.group_by",
    "counter": "skm.page.counter",
}


def range_problems(bad: dict[str, str], day_from: str, day_to: str, lang: str) -> list[str]:
    """What is wrong with a report page's input, in words (`bad`: reports.check_range's and the filters'
    codes, as the API answers them): "Tanggal akhir (2026-11-01) sebelum tanggal awal (2026-11-30)…"."""
    from server import reports
    from server.forms import parse_day
    from server.messages import field_message

    out = []
    start, end = parse_day(day_from), parse_day(day_to)
    if "from" in bad:
        out.append(word("page.report.bad_from", lang))
    if "to" in bad:
        if start is not None and end is not None and end < start:
            out.append(word("page.report.reversed", lang, start=day_from, end=day_to))
        elif start is not None and end is not None:
            out.append(word("page.report.too_long", lang, days=reports.MAX_RANGE_DAYS))
        else:
            out.append(word("page.report.bad_to", lang))
    for key, problem in bad.items():
        if key not in ("from", "to"):
            label = word(FIELD_LABELS[key], lang) if key in FIELD_LABELS else key
            if problem == "too_long":  # a filter typed past its limit: its limit and the length typed
                out.append(f"{label}: {field_message(problem, lang)}")
            else:
                out.append(word("page.report.bad_field", lang, field=label))
    return out


PAGE_ROWS = 2000  # rows the printable recap page shows; longer periods are for the XLSX or CSV


@bp.get("/recap")
@_logged_in
def recap_page():
    """The recap as a printable A4 landscape page: title, office, period, the SOP's six columns, then
    the day, the ticket label and the officer."""
    from server import reports

    service = current_app.extensions["antrian"]
    settings = service.settings
    day_from, day_to, bad = _staff_range(1)
    filters, bad_filters = reports.check_recap_filters(request.args, {s.code for s in settings.services})
    bad.update(bad_filters)
    rows: list = []
    too_many = 0
    if not bad:  # over PAGE_ROWS rows: thousands of A4 pages rendered on the event loop, the files instead
        rows, too_many = service.recap_page_rows(day_from, day_to, filters, PAGE_ROWS)
    query = {k: v for k, v in {"from": day_from, "to": day_to, **filters}.items() if v}
    # Koreksi on each finished record's row (screen only), for whom the API lets correct (POST …/correct: an
    # officer, an admin); the front office sees the rows only. The form is the counter page's (_fix_dialog.html).
    from server import core
    from server.auth import current_user

    user = current_user()
    can_fix = bool(rows) and user is not None and user["role"] in ("officer", "admin")
    # the page around the recap (bar, filters, buttons, messages) in the staff's language; the recap itself
    # (title, period, columns, rows) is the SOP's form, in Indonesian: tr(key, "id") in the template
    lang = page_lang()
    html = render_template(
        "counter/recap.html",
        lang=lang,
        tr=words_in(lang),
        problems=range_problems(bad, day_from, day_to, lang),
        title=reports.RECAP_TITLE,
        columns=reports.RECAP_COLUMNS,
        rows=rows,
        too_many=too_many,
        page_rows=PAGE_ROWS,
        bad=bad,
        period=None if bad else reports.period_id(day_from, day_to),
        # a filtered recap names its filters after the period (and in its title, the saved PDF's name)
        filter_label="" if bad else reports.filter_label(filters, **service.recap_filter_names(filters)),
        query=query,
        filters=filters,
        day_from=day_from,
        day_to=day_to,
        services=settings.services,
        # the filter: the served outcomes, and the categories, in the page's language
        outcomes={k: word(f"recap.outcome.{k}", lang) for k in reports.OUTCOMES},
        categories={code: word(f"staff.category.{code}", lang) for code in reports.CATEGORY_NAMES},
        # the printed recap's place and date line, signed on the office's today: "4 Desember 2026"
        signed_on=reports.period_id(service.day(), service.day()),
        can_fix=can_fix,
        # what the correction form needs (common.js reads it): the page's language, drawn by the server, is the
        # form's; the kinds and classes it offers
        fix_page={
            "language": lang,
            "page_lang": lang,
            "timezone": settings.office.timezone,
            "categories": list(core.CATEGORIES),
            "priority_classes": [{"code": p.code, "name": p.name} for p in settings.priority_classes],
        },
        fix_say=lambda key: page_pairs("staff")[key][1 if lang == "en" else 0],
    )
    return html, 422 if bad else 200


@bp.get("/guestbook")
@_logged_in
def guestbook_page():
    """The guest book (buku tamu, SOP step 1) as a printable A4 landscape page: every visitor who took a number
    on the days, in the order taken, with the form's identity and what became of the visit."""
    from server import reports

    service = current_app.extensions["antrian"]
    day_from, day_to, bad = _staff_range(1)
    rows: list = []
    too_many = 0
    if not bad:  # over PAGE_ROWS rows: the files instead, as the recap
        rows, too_many = service.guestbook_page_rows(day_from, day_to, PAGE_ROWS)
    lang = page_lang()
    html = render_template(
        "counter/guestbook.html",
        lang=lang,
        tr=words_in(lang),  # the page around it in the staff's language; the guest book itself in Indonesian
        problems=range_problems(bad, day_from, day_to, lang),
        title=reports.GUESTBOOK_TITLE,
        columns=reports.GUESTBOOK_COLUMNS,
        rows=rows,
        too_many=too_many,
        page_rows=PAGE_ROWS,
        bad=bad,
        period=None if bad else reports.period_id(day_from, day_to),
        query={"from": day_from, "to": day_to},
        day_from=day_from,
        day_to=day_to,
    )
    return html, 422 if bad else 200


@bp.get("/dashboard")
@_logged_in
def dashboard_page():
    """Service-time figures against the SOP's standard times, as server-drawn SVG charts."""
    from server import figures
    from shared.dates import long_date, zone_abbreviation

    service = current_app.extensions["antrian"]
    settings = service.settings
    day_from, day_to, bad = _staff_range(30)
    group = request.args.get("group") or "day"
    if group not in figures.GROUPS:
        bad["group"] = "invalid"
    data = None
    if not bad:
        data = service.figures(day_from, day_to, group)  # over a year: made off the event loop
    lang = page_lang()
    if data and lang != "id":  # the dates (and "no officer") in the page's language; names stay as they are
        data = {
            **data,
            "groups": [
                {**g, "label": figures.label(group, g["key"], lang=lang, span=(day_from, day_to))}
                if group in ("day", "week", "month") or (group == "officer" and not g["key"])
                else g
                for g in data["groups"]
            ],
        }
    # when these figures were made, in the office's time; a period that holds today goes on changing, and the page
    # left open all day (the head of office's laptop, a wall screen) loads itself again every minute (dashboard.js)
    now = service.clock().astimezone(settings.office.tz)
    clock = f"{now:%H}{'.' if lang == 'id' else ':'}{now:%M} {zone_abbreviation(now)}"
    made_at = t("page.dashboard.made_at", lang, day=long_date(now, lang), time=clock)
    html = render_template(
        "counter/dashboard.html",
        lang=lang,
        made_at=made_at,
        reloads=not bad and day_to >= service.day(),
        problems=range_problems(bad, day_from, day_to, lang),
        data=data,
        bad=bad,
        day_from=day_from,
        day_to=day_to,
        group=group,
        groups=figures.GROUPS,
        charts=_dashboard_charts(data) if data else None,
        period=None if bad else _period(day_from, day_to, lang),
        measure_names={m: t(f"figures.measure.{m}", lang) for m in figures.MEASURES},
        measures=figures.MEASURES,
        standard_measures=figures.STANDARD_MEASURES,
        email_on=settings.escalation.enabled,
        skm=None if bad else service.survey.skm(day_from, day_to),  # the satisfaction index beside the times
        # counts with their thousands grouped ("Tiket: 1.234"), in the text and in the tables
        tr=lambda key, **params: t(key, lang, **grouped_params(params, lang)),
        count=partial(counted, lang=lang),
        num=partial(_num, lang=lang),
        pct=partial(_pct, lang=lang),
        shown_minutes=figures.shown_minutes,  # a mean or longest over its standard never shown at it
    )
    return html, 422 if bad else 200


BAR_LABEL_MAX = 40  # characters of a bar's label under a chart; a longer one ends in "…" (whole in its tooltip)
LABEL_CHAR_PX = 6.0  # a character of the labels' 10 px font on average, a little over (DejaVu Sans)
SHARE_AXIS_Y = 212  # where the labels hang from, under the 200 px high bars (10 px above them)


def _bar_label(text: str) -> str:
    """A bar's label as drawn: whole up to BAR_LABEL_MAX characters, else cut at its end with "…"."""
    return text if len(text) <= BAR_LABEL_MAX else text[: BAR_LABEL_MAX - 1].rstrip() + "…"


def _label_room(bars: list[dict], width: float) -> dict[str, float]:
    """The room a chart's labels, rotated −45° under their bars, need: the drawing's height (the longest
    label's drop below the axis) and its left margin (a label under the first bars reaching left of the
    axis), so that every label is drawn whole, on screen and on paper."""
    reach = [_label_reach(b["short"]) for b in bars]
    left = math.ceil(max([40] + [r - (b["x"] + b["w"] / 2) + 8 for r, b in zip(reach, bars, strict=True)]))
    return {"left": left, "height": _label_height([b["short"] for b in bars]), "svg_width": left + width + 10}


def _label_reach(short: str) -> int:
    """How far a label rotated −45° reaches left of (and below) the point it hangs from, in px."""
    return math.ceil(len(short) * LABEL_CHAR_PX * math.sqrt(0.5))


def _label_height(shorts: list[str]) -> int:
    """A share chart's height: the 200 px of bars and the longest label's drop below them."""
    return max(290, 10 + SHARE_AXIS_Y + max((_label_reach(x) for x in shorts), default=0) + 16)


# A chart as wide as its frame ("fill"): the SVG is 100 % of the frame's width (at least FILL_MIN_WIDTH px:
# narrower, the frame scrolls), each bar's centre a share of it; the bars keep a width in px, at most
# BAR_MAX_WIDTH, so that a few groups are spaced over the frame rather than drawn as slabs. The labels'
# room is made for FILL_MIN_WIDTH, the narrowest the chart is drawn (an A4 page's frame is about 690 px):
# wider, the bars move right and apart, and every label stays whole.
FILL_MIN_WIDTH = 680
FILL_RIGHT = 10  # px kept right of the last bar's slot
BAR_MAX_WIDTH = 72
BAR_MIN_STEP = 28  # px per group at the least; more groups than FILL_MIN_WIDTH holds so: the fixed layout


def _fill_bars(values: list[float | None], left: float, top: float) -> list[dict]:
    """The bars of a chart as wide as its frame (see FILL_MIN_WIDTH): per bar `pct`, its centre's share (in
    %) of the SVG's width, `gx`, the px to add to it for its left edge (the left margin, less that share of
    the margins, less half the bar), its width `w` in px and its height (of 200, for values 0..top)."""
    n = len(values)
    if not n:
        return []
    step = (FILL_MIN_WIDTH - left - FILL_RIGHT) / n
    width = round(min(BAR_MAX_WIDTH, step * 0.8), 2)
    bars = []
    for i, v in enumerate(values):
        share = (i + 0.5) / n
        h = round((v or 0) / (top or 1.0) * 200, 2)
        bars.append(
            {
                "pct": round(share * 100, 4),
                "gx": round(left - share * (left + FILL_RIGHT) - width / 2, 2),
                "w": width,
                "y": round(200 - h, 2),
                "h": h,
            }
        )
    return bars


def _fill_left(shorts: list[str]) -> int:
    """The left margin that keeps every label (rotated −45° from its bar's centre) whole when the chart is
    FILL_MIN_WIDTH wide: the centre of bar i is at left + (i + ½)/n of the rest, so a label reaching r px
    left of it needs left ≥ (r + 8 − f·(W − right)) / (1 − f), f = (i + ½)/n."""
    n = len(shorts)
    need = 40.0
    for i, short in enumerate(shorts):
        reach = _label_reach(short)
        f = (i + 0.5) / n
        need = max(need, (reach + 8 - f * (FILL_MIN_WIDTH - FILL_RIGHT)) / (1 - f))
    return math.ceil(need)


def _share_level(figure: dict) -> str:
    """A share bar's colour class from its counts: "low" under half within the standard, "mid" under 80 %, else ""
    (also without data). Not from the share, which is rounded: 79,999 of 100,000 is a share of 0.8 and a bar under
    80 %."""
    within, n = figure["within"], figure["n"]
    if figure["share"] is None or not n:
        return ""
    return "low" if within * 2 < n else "mid" if within * 5 < n * 4 else ""


def _dashboard_charts(data: dict) -> dict:
    """Bar geometry for the dashboard's SVG charts (drawn by the template; no chart library): as wide as
    their frame when the groups fit FILL_MIN_WIDTH (`fill`), else BAR_MIN_STEP px per group, the frame
    scrolling on screen and the drawing made smaller on paper."""
    from server.figures import STANDARD_MEASURES, bar_layout

    groups = data["groups"]
    shorts = [_bar_label(g["label"]) for g in groups]
    left = _fill_left(shorts)
    fill = bool(groups) and (FILL_MIN_WIDTH - left - FILL_RIGHT) / len(groups) >= BAR_MIN_STEP
    width = max(600, BAR_MIN_STEP * len(groups))
    shares = {}
    for m in STANDARD_MEASURES:
        values = [g[m]["share"] for g in groups]
        if fill:
            bars = _fill_bars(values, left, top=1.0)
        else:
            bars = bar_layout(values, width, 200, top=1.0)  # always 0..100 %
        shares[m] = {
            "fill": fill,
            "width": width,
            "bars": [
                {
                    **b,
                    "label": g["label"],
                    "short": short,
                    "share": g[m]["share"],
                    "within": g[m]["within"],
                    "n": g[m]["n"],
                    "level": _share_level(g[m]),
                }
                for b, g, short in zip(bars, groups, shorts, strict=True)
            ],
        }
        if fill:
            shares[m].update({"left": left, "height": _label_height(shorts), "min_width": FILL_MIN_WIDTH})
        else:
            shares[m].update(_label_room(shares[m]["bars"], width))
    per_day = [a["per_day"] for a in data["arrivals"]]
    top = max(per_day) if per_day else 0
    bars = _fill_bars(per_day, 40, top=top or 1.0)
    arrivals = {
        "bars": [
            {**b, "hour": a["hour"], "per_day": a["per_day"], "tickets": a["tickets"], "days": a["days"]}
            for b, a in zip(bars, data["arrivals"], strict=True)
        ],
        "top": top,
    }
    return {"shares": shares, "arrivals": arrivals}


@bp.get("/admin")
def admin_page():
    """The admin's page: office settings, services, counters, the priority table, the kiosk, accounts.

    The page itself is public; the data comes from /api/admin/* (role admin), so a visitor sees the
    login form and a non-admin a refusal.
    """
    settings = current_app.extensions["antrian.settings"]
    return render_template("counter/admin.html", page={"language": settings.office.language})


@bp.get("/password")
def password_page():
    """The logged-in account's own new password (Ganti kata sandi), for every staff role: the current one, the
    new one twice (POST /api/me/password). Its way in is the account's name in every staff page's bar. Like
    the admin's page, the page itself is public: without a login it shows the login form, then the form."""
    settings = current_app.extensions["antrian.settings"]
    return render_template("counter/password.html", page={"language": settings.office.language})


@bp.get("/escalations")
def escalations_page():
    """Open escalations to the LKPP helpdesk: age, e-mail state, LKPP ticket number, the answer that closes one."""
    return render_template("counter/escalations.html", page=page_config())


@bp.get("/complaints")
def complaints_page():
    """Suggestions and complaints from the satisfaction survey (the SOP's "pengaduan"): the open ones with
    their age, the answer form, and the answered ones with who answered and the answer."""
    # numbered_pages: its printed list's sheets say "Halaman 2 dari 5" (base.html, print.js)
    return render_template("counter/complaints.html", page=page_config(), numbered_pages=True)


SKM_BAR_WIDTH = 520  # the SKM chart's scale (0..4) in SVG units; the page scales the drawing to its width
SKM_BAR_HEIGHT = 14
SKM_BAR_GAP = 6
SKM_LABEL_WIDTH = 44


def _num(value: float | None, places: int, lang: str = "id") -> str:
    """A figure of the SKM to `places` decimals, with the decimal comma in Indonesian; "—" for none."""
    if value is None:
        return "—"
    text = f"{value:,.{places}f}"  # thousands grouped: a mean of 1,234.5 minutes is "1.234,5" in Indonesian
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def _pct(within: int | None, n: int | None, lang: str = "id") -> str:
    """`within` of `n` as the dashboard writes it: "80%", or with one decimal when it is not whole ("79,5%"),
    never rounded up to say more than it is (199 of 200 within is 99,5%, not 100%). From the counts, exactly:
    the figures' `share` is already rounded to four decimals, and flooring that said more than was reached
    (8 of 21 is 38.095 %: its share 0.381 read "38,1%"; 19,999 of 20,000 read "100%")."""
    if within is None or not n:
        return "—"
    tenths = within * 1000 // n  # whole tenths of a percent, rounded down
    text = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
    return (text.replace(".", ",") if lang == "id" else text) + "%"


def _period(day_from: str, day_to: str, lang: str) -> str:
    """The period in the page's language: "1 November 2026 s.d. 30 November 2026"."""
    from server import reports

    if lang == "id":
        return reports.period_id(day_from, day_to)
    from shared.dates import month_names

    months = month_names("en")
    one = [
        f"{d.day} {months[d.month - 1]} {d.year}" for d in (date.fromisoformat(day_from), date.fromisoformat(day_to))
    ]
    return one[0] if day_from == day_to else f"{one[0]} to {one[1]}"


def _skm_chart(report: dict[str, Any]) -> dict[str, Any]:
    """Bar geometry for the SKM page's chart (`report`: GET /api/skm's): one horizontal bar per element, its
    length the NRR shown on the scale 1-4 drawn from 0 (a full bar is 4.00), its colour the grade the element's
    exact NRR (its sum over its answers) would be as an index: × 25, rounded once to two decimals, graded as the
    IKM is. Not from the NRR shown: 3.06422 is shown 3.064, which as an index (76.60) would be C, not B."""
    from server import skm

    bars = []
    for i, element in enumerate(report["elements"]):
        code = element["code"]
        value = report["nrr"][code]
        y = i * (SKM_BAR_HEIGHT + SKM_BAR_GAP)
        width = 0.0 if value is None else round(SKM_BAR_WIDTH * value / 4, 2)
        grade = None
        if element["answers"]:
            exact = Fraction(element["sum"], element["answers"])
            grade = skm.grade(skm.round_half_up(exact * skm.CONVERSION, 2))[0].lower()
        bars.append({"code": code, "value": value, "y": y, "w": width, "h": SKM_BAR_HEIGHT, "grade": grade})
    height = len(bars) * (SKM_BAR_HEIGHT + SKM_BAR_GAP)
    ticks = [{"score": s, "x": SKM_BAR_WIDTH * s / 4} for s in range(5)]
    return {"bars": bars, "width": SKM_BAR_WIDTH, "height": height, "label": SKM_LABEL_WIDTH, "ticks": ticks}


@bp.get("/skm")
@_logged_in
def skm_page():
    """The SKM (Survei Kepuasan Masyarakat) of a period as a printable A4 page: respondents against the
    population and the minimum sample, each element's NRR with its question as the period's answers were
    given under it (each text, with its choices, when the questionnaire was changed in the period, and one
    note saying when and how many answered each) and a bar, the index (IKM), its grade, per service and
    counter, the respondents' profile and the suggestions (never a name)."""
    from server import reports, skm, skm_report

    service = current_app.extensions["antrian"]
    settings = service.settings
    lang = page_lang()  # ?lang=, else the staff's language (the cookie), else the office's
    today = service.day()
    day_from = request.args.get("from") or today[:8] + "01"  # default: this month so far
    day_to = request.args.get("to") or today
    bad = reports.check_range(day_from, day_to)
    code = request.args.get("service") or None
    if code is not None and settings.service(code) is None:
        bad["service"] = "unknown_service"
    counter_arg = request.args.get("counter") or None
    counter_id = (
        int(counter_arg) if counter_arg is not None and counter_arg.isdigit() and len(counter_arg) < 6 else None
    )
    if counter_arg is not None and (counter_id is None or settings.counter(counter_id) is None):
        bad["counter"] = "invalid"
    data = None if bad else service.survey.skm(day_from, day_to, code, counter_id)
    filters = {k: v for k, v in {"service": code, "counter": counter_arg}.items() if v}
    query = {"from": day_from, "to": day_to, **filters}
    html = render_template(
        "counter/skm.html",
        data=data,
        bad=bad,
        problems=range_problems(bad, day_from, day_to, lang),
        lang=lang,
        other_lang="en" if lang == "id" else "id",
        tr=partial(t, lang=lang),
        num=partial(_num, lang=lang),
        percent=skm.percent,  # a profile's share from its count, exactly (not the JSON's 4-decimal share)
        wording_note=skm_report.wording_note(data, settings.office.tz, lang) if data else None,
        wording_tag=lambda ids: ", ".join(skm_report.wording_label(i, lang) for i in ids).capitalize(),
        chart=_skm_chart(data) if data else None,
        period=None if bad else _period(day_from, day_to, lang),
        query=query,
        day_from=day_from,
        day_to=day_to,
        filters=filters,
        service_name=settings.service(code).name if code and settings.service(code) else None,
        counter_name=settings.counter(counter_id).name if counter_id is not None and "counter" not in bad else None,
        services=settings.services,
        counters=settings.counters,
    )
    return html, 422 if bad else 200
