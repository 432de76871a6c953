"""The public-satisfaction survey (SKM) and complaints: the questionnaire and its wording, a visitor's
response to the survey of their ticket (first answer, corrections within the day), the index per period,
service and counter (server/skm.py does the arithmetic), and the complaints the office answers.

A response is reached by the ticket's token (the phone page, the QR code) or, at the tablet by the exit,
by the ticket's label of today together with the last four digits of the phone number on its form: a
label alone ("A-012") is easy to guess. docs/skm.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from server import core, skm
from server.core import Ticket
from server.errors import Forbidden, FormIncomplete, Localized, NotFound, QueueError
from server.forms import clean_text, normalize_phone, parse_id, text_problem
from server.i18n import t
from server.service.shapes import iso, names_of
from server.service.unit import Kind, Outcome
from server.store import Tx
from shared.dates import zone_abbreviation

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork

SUGGESTION_MAX = 2000  # characters of a suggestion or complaint, once cleaned
ANSWER_MAX = 4000  # characters of the office's answer to a complaint
QUESTION_MAX = 500  # characters of a question's wording (an admin's)
CHOICE_MAX = 100  # characters of an answer choice's wording
LABEL_MAX = 16
CHANNELS = ("phone", "tablet")
COMPLAINT_STATES = ("all", "open", "answered", "closed")
# At most this many open complaints are listed (the newest: a new one is never left out), and as many
# answered or closed ones; the list says the true totals, so the page can say what it leaves out.
COMPLAINTS_LIMIT = 1000
# A response may be corrected this many times (a correction that changes nothing is no correction): each
# one writes an event that every open complaints page may follow, and anyone holding the token may send them.
CORRECTIONS_MAX = 5
# The tablet names a ticket by its label and the phone's last four digits: a ticket whose digits were
# given wrong this many times today is refused to the tablet for the rest of the day (its phone page and
# QR code still work), so guessing the digits from many addresses gets nowhere.
LOOKUP_MISSES = 10  # wrong digits for one ticket from one device: that device is refused it all day
# ... from all devices together: every device is (a guess stays under 1 in 300), but those named in
# [kiosk] addresses (the office's own kiosk and exit tablet): anyone who reads the labels on the TV
# could otherwise shut the tablet out of every ticket of the day with thirty wrong guesses each.
LOOKUP_MISSES_ALL = 30
LOOKUP_MISSES_KEPT = 10_000  # tickets with misses remembered (a day of the busiest office is far fewer)
_LAST4 = re.compile(r"[0-9]{4}")
LANGS = ("id", "en")


def default_texts(element: str) -> dict[str, Any]:
    """The model questionnaire's wording of an element (server/i18n `skm.question.*`, `skm.choice.*`)."""
    key = element.lower()
    return {
        "question": {lang: t(f"skm.question.{key}", lang) for lang in LANGS},
        "choices": [{lang: t(f"skm.choice.{key}.{score}", lang) for lang in LANGS} for score in skm.SCORES],
    }


def _words(key: str) -> dict[str, str]:
    return {lang: t(key, lang) for lang in LANGS}


def wording_of(custom: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The whole questionnaire's wording in use: each element's as an admin set it (`custom`), else the
    model questionnaire's."""
    return {code: custom.get(code) or default_texts(code) for code in skm.ELEMENTS}


def changed_elements(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The elements whose question or choices differ between two wordings."""
    return [code for code in skm.ELEMENTS if old.get(code) != new.get(code)]


def _plain(text: Any) -> str:
    return " ".join(str(text or "").split()).strip(" .,;:!").casefold()


def reversed_scale(code: str, choices: list[dict[str, str]]) -> Localized | None:
    """Why an admin's four choices of an element run the wrong way, or None. Choice 1 must be the worst
    and 4 the best (the regulation's scale: a choice's position is its score). Wording alone cannot show
    which way a scale runs, but one sign is sure: two of the model questionnaire's own choices of the
    element (the same words, ignoring case, spaces and end punctuation) placed in the opposite order to
    the model's ("Gratis", the model's 4, as choice 1 above "Sangat mahal", its 1). A shifted scale
    ("Sangat tidak sesuai, Tidak sesuai, Sesuai, Sangat sesuai") keeps the model's order and passes."""
    model = default_texts(code)["choices"]
    for lang in LANGS:
        rank = {_plain(c[lang]): score for score, c in zip(skm.SCORES, model, strict=True)}
        placed = [
            (at, rank[_plain(c.get(lang))]) for at, c in enumerate(choices, start=1) if _plain(c.get(lang)) in rank
        ]
        worst = max(((b[1] - w[1], b, w) for b in placed for w in placed if b[0] < w[0] and b[1] > w[1]), default=None)
        if worst is not None:
            (better_at, better), (worse_at, worse) = worst[1], worst[2]
            return Localized(
                *(
                    t(
                        "error.survey_scale_reversed",
                        out,
                        better=model[better - 1][lang],
                        better_score=better,
                        better_at=better_at,
                        worse=model[worse - 1][lang],
                        worse_score=worse,
                        worse_at=worse_at,
                    )
                    for out in LANGS
                )
            )
    return None


def check_texts(value: Any) -> dict[str, dict[str, Any] | None]:
    """An admin's new wording: {element: {"question": {id, en}, "choices": [{id, en} x4]} or null (back
    to the default)}; FormIncomplete naming each bad field ("elements.U1.choices.2.en"), and
    "elements.U4.choices" for choices in the reverse of the model's order (reversed_scale)."""
    if not isinstance(value, dict) or not value:
        raise FormIncomplete({"elements": "required"})
    bad: dict[str, Any] = {}
    out: dict[str, dict[str, Any] | None] = {}
    for code, entry in value.items():
        where = f"elements.{code}"
        if code not in skm.ELEMENTS:
            bad[where] = "unknown_field"
            continue
        if entry is None:
            out[code] = None
            continue
        if not isinstance(entry, dict):
            bad[where] = "not_object"
            continue
        for key in entry:
            if key not in ("question", "choices"):
                bad[f"{where}.{key}"] = "unknown_field"
        question = _pair(entry.get("question"), f"{where}.question", QUESTION_MAX, bad)
        choices = entry.get("choices")
        if not isinstance(choices, list) or len(choices) != len(skm.SCORES):
            bad[f"{where}.choices"] = "invalid"
            continue
        clean = [_pair(c, f"{where}.choices.{i}", CHOICE_MAX, bad) for i, c in enumerate(choices, start=1)]
        problem = reversed_scale(code, clean)
        if problem is not None:
            bad[f"{where}.choices"] = problem
        out[code] = {"question": question, "choices": clean}
    if bad:
        raise FormIncomplete(bad)
    return out


def _pair(value: Any, where: str, limit: int, bad: dict[str, Any]) -> dict[str, str]:
    """A text in both languages {id, en}, each required, one line, at most `limit` characters."""
    if not isinstance(value, dict):
        bad[where] = "not_object"
        return {}
    out = {}
    for lang in LANGS:
        problems: dict[str, str] = {}
        out[lang] = clean_text(value, lang, limit, True, problems)
        if problems:
            bad[f"{where}.{lang}"] = problems[lang]
    for key in value:
        if key not in LANGS:
            bad[f"{where}.{key}"] = "unknown_field"
    return out


def check_response(data: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The scores and profile of a response as columns (u1..u9, sex, age, education, occupation, and the
    wording the page showed, None when not said) and its suggestion (None when absent, null or empty: in
    a correction, the text given before stays); FormIncomplete naming every bad field: "answers.U3",
    "profile.age", "suggestion", "wording"."""
    bad: dict[str, str] = {}
    row: dict[str, Any] = {}
    wording = data.get("wording")
    if wording is None or (isinstance(wording, int) and not isinstance(wording, bool) and 1 <= wording < 2**53):
        row["wording"] = wording
    else:
        bad["wording"] = "invalid"
    answers = data.get("answers")
    if not isinstance(answers, dict):
        bad["answers"] = "required" if answers is None else "not_object"
        answers = {}
    for key in answers:
        if key not in skm.ELEMENTS:
            bad[f"answers.{key}"] = "unknown_field"
    if "answers" not in bad:
        for code in skm.ELEMENTS:
            score = answers.get(code)
            if score is None:
                bad[f"answers.{code}"] = "required"
            elif isinstance(score, bool) or score not in skm.SCORES:
                bad[f"answers.{code}"] = "survey_score"
            else:
                row[code.lower()] = int(score)
    profile = data.get("profile")
    if profile is not None and not isinstance(profile, dict):
        bad["profile"] = "not_object"
        profile = None
    profile = profile or {}
    for key in profile:
        if key not in ("sex", "age", "education", "occupation"):
            bad[f"profile.{key}"] = "unknown_field"
    for key, choices in (("sex", skm.SEXES), ("education", skm.EDUCATIONS), ("occupation", skm.OCCUPATIONS)):
        value = profile.get(key)
        if value in (None, ""):
            row[key] = None
        elif value in choices:
            row[key] = value
        else:
            bad[f"profile.{key}"] = "invalid"
    age = profile.get("age")
    if age in (None, ""):
        row["age"] = None
    elif isinstance(age, int) and not isinstance(age, bool) and skm.AGE_MIN <= age <= skm.AGE_MAX:
        row["age"] = age
    else:
        bad["profile.age"] = "survey_age"
    suggestion = clean_text(dict(data), "suggestion", SUGGESTION_MAX, False, bad, multiline=True) or None
    if bad:
        raise FormIncomplete(bad)
    return row, suggestion


def ticket_ref(data: Mapping[str, Any]) -> tuple[str, str | None]:
    """How a response names its ticket: ("token", None) from {"token"} or (label, last 4 phone digits) from
    {"ticket", "phone_last4"}; FormIncomplete naming the bad or missing field."""
    token = data.get("token")
    if token is not None:
        if not isinstance(token, str) or not 1 <= len(token) <= 64 or text_problem(token):
            raise FormIncomplete({"token": "invalid"})
        return token, None
    label, last4 = data.get("ticket"), data.get("phone_last4")
    bad: dict[str, str] = {}
    if label is None:
        bad["ticket"] = "required"
    elif not isinstance(label, str) or not 1 <= len(label.strip()) <= LABEL_MAX or text_problem(label):
        bad["ticket"] = "invalid"  # (a lone surrogate, "\ud800", could not even be looked up)
    if not isinstance(last4, str) or not _LAST4.fullmatch(last4):
        bad["phone_last4"] = "phone_last4"
    if label is None and last4 is None:
        bad = {"token": "required", "ticket": "required"}
    if bad:
        raise FormIncomplete(bad)
    return normal_label(label), last4


_LABEL = re.compile(r"([A-Z]+)[\s-]*0*([0-9]{1,6})")


def normal_label(text: str) -> str:
    """A label as typed on a tablet ("a12", "A 012", "A-12") as printed ("A-012"); other text upper-cased."""
    text = text.strip().upper()
    match = _LABEL.fullmatch(text)
    return core.label_for(match.group(1), int(match.group(2))) if match else text


def response_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored response as the visitor's pages read it back: its answers, profile, suggestion, times, and
    the office's answer to the suggestion or complaint."""
    return {
        "id": row["id"],
        "answers": {code: row[code.lower()] for code in skm.ELEMENTS},
        "profile": {k: row[k] for k in ("sex", "age", "education", "occupation")},
        "suggestion": row["suggestion"] or "",
        "channel": row["channel"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "answer": row["answer"],
        "answered_at": row["answered_at"],
        "wording": row.get("wording"),
    }


# What a ticket's link (GET /api/survey/<token>, the phone page's thanks card) still reads of its response once the
# survey is closed: nobody may correct it any more, and a slip with its QR code ends up in a bin. The visitor's own
# text and the office's reply to it (which may come days later), and the id a complaint's live event names; not
# the scores, the profile (age, sex, education, occupation), the channel, times or wording.
CLOSED_KEYS = ("id", "suggestion", "answer", "answered_at")


def closed_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored response as its ticket's link reads it back once the survey is closed (CLOSED_KEYS)."""
    view = response_view(row)
    return {k: view[k] for k in CLOSED_KEYS}


def _unchanged(old: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    """Whether a correction's scores and profile, and the wording they were given under, are the ones
    stored (the channel it came by aside)."""
    keys = (*(c.lower() for c in skm.ELEMENTS), "sex", "age", "education", "occupation", "wording")
    return all(old.get(k) == row.get(k) for k in keys)


def complaint_status(row: Mapping[str, Any]) -> str:
    """A complaint's state: "answered", "closed" (no reply needed) or "open"."""
    return "answered" if row["answered_at"] else "closed" if row.get("closed_at") else "open"


# -- the complaints as a file (GET /api/complaints?format=csv|xlsx) ----------------------------------
# In Indonesian, as the recap and the SKM files are (server/i18n, keys `complaints_file.*`). Every complaint
# of the list's period and status is a row: the file is never cut at COMPLAINTS_LIMIT.
COMPLAINT_FORMATS = ("json", "csv", "xlsx")
COMPLAINT_KEYS = (
    "no",
    "received",
    "label",
    "service",
    "text",
    "status",
    "answer",
    "answered_by",
    "answered_at",
    "closed_by",
    "closed_at",
)
_TIMES = ("received", "answered_at", "closed_at")  # local date and time, the office's zone in the heading
_LONG = ("text", "answer")  # up to SUGGESTION_MAX and ANSWER_MAX characters: continued below in the XLSX


def complaint_columns(zone: str) -> tuple[str, ...]:
    """The file's headings: "No", "Diterima (WIB)", "Tiket", …"""
    return tuple(t(f"complaints_file.header.{k}", zone=zone) for k in COMPLAINT_KEYS)


def _local(value: str | None, tz: Any) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(tz).replace(tzinfo=None) if value else None


def complaint_row(r: Mapping[str, Any], tz: Any, names: Mapping[str, str], service_name: str) -> dict[str, Any]:
    """A store row (Tx.complaints_iter) as the file's row, keyed by COMPLAINT_KEYS: times local and naive,
    who by the full name (else the login name), the state in words."""
    status = complaint_status(r)
    return {
        "received": _local(r.get("text_at") or r["created_at"], tz),
        "label": r.get("label") or t("complaints_file.no_ticket"),
        "service": service_name,
        "text": r["suggestion"] or "",
        "status": t(f"complaints_file.status.{status}"),
        "answer": r["answer"] or "",
        "answered_by": names.get(r["answered_by"], r["answered_by"]) if r["answered_by"] else "",
        "answered_at": _local(r["answered_at"], tz),
        "closed_by": names.get(r["closed_by"], r["closed_by"]) if r.get("closed_by") else "",
        "closed_at": _local(r.get("closed_at"), tz),
    }


def _csv_time(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def complaints_csv(rows: Any, zone: str) -> bytes:
    """One table (as the recap's CSV: the period is in the file's name), UTF-8 with a BOM so that Excel opens
    it right; a text that a spreadsheet would run as a formula (= + - @ first) gets a leading ' (reports._cell)."""
    import csv
    import io

    from server import reports

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(complaint_columns(zone))
    for no, r in enumerate(rows, start=1):
        cells = [no] + [_csv_time(r[k]) if k in _TIMES else r[k] for k in COMPLAINT_KEYS[1:]]
        writer.writerow([reports._cell(c) for c in cells])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def complaint_period_line(day_from: str, day_to: str, by: str, status: str = "all") -> str:
    """What a file (and its title row) holds: "Pengaduan yang diterima 1 November 2026 s.d. 30 November
    2026", or, for the page's first view, every open one and those answered or closed in the days; a status
    other than "all" after it."""
    from server import reports

    line = t(f"complaints_file.period.{by}", period=reports.period_id(day_from, day_to))
    if status != "all":
        line += " · " + t("complaints_file.only", status=t(f"complaints_file.status.{status}"))
    return line


def complaint_file_name(day_from: str, day_to: str, by: str, status: str, fmt: str) -> str:
    """pengaduan-2026-11-01-2026-11-30.xlsx; the page's first view and a status named after the days
    (pengaduan-2026-12-01-2026-12-04-terbuka-dan-ditangani.csv), so a part is never taken for the whole."""
    parts = ["pengaduan", day_from, day_to]
    if by == "handled":
        parts.append(t("complaints_file.file.handled"))
    if status != "all":
        parts.append(t(f"complaints_file.file.{status}"))
    return "-".join(parts) + f".{fmt}"


_C_TITLE, _C_OFFICE, _C_HEADER, _C_NUMBER, _C_BODY, _C_TIME = range(1, 7)
COMPLAINT_WIDTHS = (6, 17, 11, 22, 48, 16, 48, 20, 17, 20, 17)


def complaints_xlsx(
    rows: Any, office_name: str, period_line: str, counts: Mapping[str, int], zone: str, when: datetime | None = None
) -> bytes:
    """The complaints as a workbook, written a row at a time as the recap's (server/xlsx.py): title, office,
    period and counts rows, bold bordered headings (printed atop every page, frozen on screen), wrapped
    bordered cells, the times as real date-times; A4 landscape as wide as the page. Text is always text: a
    visitor's "=…" never becomes a formula."""
    from server import xlsx

    sheet = xlsx.Sheet(
        name=t("complaints_file.sheet"),
        widths=COMPLAINT_WIDTHS,
        styles=(
            xlsx.Style(bold=True, size=14),
            xlsx.Style(bold=True, size=12),
            xlsx.Style(bold=True, border=True, horizontal="center", vertical="center", wrap=True),
            xlsx.Style(border=True, horizontal="center", vertical="top", number_format="0"),
            xlsx.Style(border=True, vertical="top", wrap=True),
            xlsx.Style(border=True, horizontal="center", vertical="top", number_format="DD/MM/YYYY HH:MM"),
        ),
        frozen_rows=5,
        print_title_rows=(5, 5),
        landscape=True,
        fit_to_width=True,
        page_footer=t("page.recap.page_of"),  # "Halaman 2 dari 7", as the recap's, guest book's and SKM's workbooks
    )
    letters = [xlsx.column_letter(i) for i in range(len(COMPLAINT_KEYS))]
    fit = xlsx.RowFit(sheet)  # rows as tall as their wrapped texts (LibreOffice does not grow them)
    total = sum(counts.get(k, 0) for k in ("open", "answered", "closed"))
    chars = {k: xlsx.line_chars(COMPLAINT_WIDTHS[COMPLAINT_KEYS.index(k)]) for k in _LONG}

    def body() -> Any:
        yield xlsx.row_xml(1, [(_C_TITLE, t("complaints_file.title"))], letters)
        yield xlsx.row_xml(2, [(_C_OFFICE, office_name)], letters)
        yield xlsx.row_xml(3, [(0, period_line)], letters)
        yield xlsx.row_xml(4, [(0, t("complaints_file.counts", total=total, **counts))], letters)
        yield xlsx.row_xml(5, [(_C_HEADER, c) for c in complaint_columns(zone)], letters, fit)
        number = 5
        for n, r in enumerate(rows, start=1):
            # a complaint or an answer longer than a row may be tall (409 points; a page, PART_LINES lines)
            # goes on in the rows under it, as the SKM's Saran sheet's; those rows hold nothing else
            parts = {k: xlsx.text_parts(r[k], chars[k], xlsx.PART_LINES) for k in _LONG if r[k]}
            for part in range(max((len(p) for p in parts.values()), default=1)):
                cells: list[tuple[int, Any]] = [(_C_NUMBER, None if part else n)]
                for k in COMPLAINT_KEYS[1:]:
                    value = r[k] if not part else None
                    if k in parts:
                        value = parts[k][part] if part < len(parts[k]) else None
                    cells.append((_C_TIME, value) if k in _TIMES and value is not None else (_C_BODY, value))
                number += 1
                yield xlsx.row_xml(number, cells, letters, fit)

    return xlsx.write_xlsx(sheet, body(), when)


class Survey:
    """The survey's commands and views."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        # Wrong digits given today: one device that guesses shuts the ticket out for itself, not for the exit
        # tablet where its visitor stands; it takes several to shut it out for everyone. Per ticket from all
        # devices (as many as the day's tickets), and per (ticket, device) address (at most
        # LOOKUP_MISSES_KEPT: past it a new device's are not counted, the all-devices count still is).
        self._misses_day: str | None = None
        self._misses_all: dict[int, int] = {}
        self._misses: dict[tuple[int, str], int] = {}

    # -- the questionnaire --------------------------------------------------------------------
    def questionnaire(self) -> dict[str, Any]:
        """What the survey pages show: the nine elements (name, question, four choices) in both languages,
        the profile's choices, the suggestion's limit, and the id of the wording (`wording`: a page sends
        it back with its answers, which are then kept as given under it; null while the wording in use is
        not kept yet, which the next answer or change does)."""
        with self.unit.store.read() as tx:
            wording = wording_of(tx.survey_texts())
            latest = tx.survey_wording_latest()
        elements = []
        for code in skm.ELEMENTS:
            texts = wording[code]
            elements.append(
                {
                    "code": code,
                    "name": _words(f"skm.element.{code.lower()}"),
                    "question": texts["question"],
                    "choices": [{"score": s, **c} for s, c in zip(skm.SCORES, texts["choices"], strict=True)],
                }
            )
        profile = {
            "sex": [{"code": c, **_words(f"skm.sex.{c.lower()}")} for c in skm.SEXES],
            "age": {"min": skm.AGE_MIN, "max": skm.AGE_MAX},
            "education": [{"code": c, **_words(f"skm.education.{c}")} for c in skm.EDUCATIONS],
            "occupation": [{"code": c, **_words(f"skm.occupation.{c}")} for c in skm.OCCUPATIONS],
        }
        kept = latest["id"] if latest and latest["texts"] == wording else None
        return {"elements": elements, "profile": profile, "suggestion_max": SUGGESTION_MAX, "wording": kept}

    def texts(self) -> dict[str, Any]:
        """The questionnaire's wording for the admin page: each element's, and whether it is the default."""
        with self.unit.store.read() as tx:
            custom = tx.survey_texts()
        return {
            "elements": [
                {
                    "code": code,
                    "name": _words(f"skm.element.{code.lower()}"),
                    **(custom.get(code) or default_texts(code)),
                    "default": code not in custom,
                    "defaults": default_texts(code),
                }
                for code in skm.ELEMENTS
            ]
        }

    def set_texts(self, value: Any, actor: str) -> Outcome:
        """An admin changes the wording of some elements (null: back to the default); the whole wording is
        kept as a new one when it differs from the last kept (`survey_wordings`: responses name the one
        they were answered under); a `settings_changed` event with data.section "survey", the elements
        named and the wording's id."""
        changes = check_texts(value)

        def run(tx: Tx, now: datetime) -> Outcome:
            for code, texts in changes.items():
                tx.set_survey_text(code, texts, actor, now)
            wording = self._wording_now(tx, now, actor)
            data = {"section": "survey", "elements": sorted(changes), "wording": wording}
            tx.add_event("settings_changed", now, self.unit.day(now), None, None, actor, data)
            return Outcome()

        self.unit.run(None, run)
        return Outcome(self.texts())

    @staticmethod
    def _wording_now(tx: Tx, now: datetime, actor: str | None = None) -> int:
        """The id of the wording in use, kept first (from `now`, by `actor`) when it is not the last kept:
        an admin's change, or a new release's model questionnaire (actor None)."""
        custom = tx.survey_texts()
        wording = wording_of(custom)
        latest = tx.survey_wording_latest()
        if latest is not None and latest["texts"] == wording:
            return latest["id"]
        own = [code for code in skm.ELEMENTS if wording[code] != default_texts(code)]  # not the model's words
        return tx.add_survey_wording(wording, own, actor, now)

    # -- a visitor's response ------------------------------------------------------------------
    def _find(self, tx: Tx, ref: str, last4: str | None, now: datetime, who: str = "") -> Ticket:
        """The ticket a response names: by token (any day), or by today's label and the phone's last four
        digits (NotFound survey_ticket_not_found for either wrong, alike; after LOOKUP_MISSES wrong digits
        from the device `who`, for that device all day)."""
        if last4 is None:
            ticket = tx.ticket_by_token(ref)
            if ticket is None:
                raise NotFound("ticket_not_found")
            return ticket
        day = self.unit.day(now)
        ticket = tx.ticket_by_label(day, ref)
        if ticket is None or self._locked(day, ticket.id, who):
            raise NotFound("survey_ticket_not_found")
        phone = normalize_phone(tx.form(ticket.id)["phone"] or "")
        if phone is None or phone[-4:] != last4:
            self._miss(day, ticket.id, who)
            raise NotFound("survey_ticket_not_found")
        return ticket

    def _locked(self, day: str, ticket_id: int, who: str) -> bool:
        if self._misses_day != day:
            return False
        if self._misses.get((ticket_id, who), 0) >= LOOKUP_MISSES:
            return True
        return not self._office_device(who) and self._misses_all.get(ticket_id, 0) >= LOOKUP_MISSES_ALL

    def _office_device(self, who: str) -> bool:
        """A device named by its own address in [kiosk] addresses (the office's kiosk, its exit tablet): not
        locked out by others' misses. A network there is not one device: each of its addresses would have
        ten guesses of its own and no lock for all."""
        import ipaddress

        try:
            ip = ipaddress.ip_address(who)
        except ValueError:
            return False
        return any(
            (net := ipaddress.ip_network(n)).num_addresses == 1 and ip in net
            for n in self.unit.settings.kiosk.addresses
        )

    def _miss(self, day: str, ticket_id: int, who: str) -> None:
        """Count wrong digits for a ticket of `day`, from one device and from all; an earlier day's counts
        are forgotten. An office device's are always counted (the bound on the table is for the others:
        its own ten misses are its only lock)."""
        if self._misses_day != day:
            self._misses_day, self._misses_all, self._misses = day, {}, {}
        self._misses_all[ticket_id] = self._misses_all.get(ticket_id, 0) + 1
        key = (ticket_id, who)
        if key in self._misses or len(self._misses) < LOOKUP_MISSES_KEPT or self._office_device(who):
            self._misses[key] = self._misses.get(key, 0) + 1

    def _reason(self, ticket: Ticket, now: datetime) -> str | None:
        """Why the survey of a ticket is not open now: "not_served" (neither resolved, escalated or closed, nor
        served before a transfer and ended unserved at the service it was sent to, core.partly_served: that
        visitor was served all the same, as the recap and the SKM's population count them), whatever its day;
        "day_over" (neither issued nor finished today: a visit that ran past the office's midnight may still
        be rated that night; an expiry, the night's end of a ticket of an earlier day, is not the visit's end);
        None when it is open."""
        if ticket.status not in core.SERVED and not core.partly_served(ticket.status, ticket.served_before_ms):
            return "not_served"
        today = self.unit.day(now)
        finished = ticket.finished_at if ticket.status != core.EXPIRED else None
        if ticket.day != today and (finished is None or self.unit.day(finished) != today):
            return "day_over"
        return None

    @staticmethod
    def _served_where(tx: Tx, ticket: Ticket) -> tuple[str, int | None]:
        """The service and counter a response is counted under: where its visitor was served. A ticket sent on
        and never served there (core.partly_served) was served at the service it was sent from, by the counter
        that sent it (its latest `transferred` event), as the population counts it (Tx.served_population)."""
        if ticket.status in core.SERVED:
            return ticket.service, ticket.counter_id
        return ticket.transferred_from or ticket.service, tx.transfer_counter(ticket.id)

    def _state(self, tx: Tx, ticket: Ticket, now: datetime, private: bool = False) -> dict[str, Any]:
        """The survey of a ticket; `private` (named by label and digits, at the tablet): whether it was
        answered, but not what (a complaint's text and the office's answer stay on the visitor's phone). Once
        closed (`reason`), by token too only what the phone's thanks card shows (closed_view)."""
        settings = self.unit.settings
        service = settings.service(ticket.service)
        row = tx.survey_response(ticket.id)
        reason = self._reason(ticket, now)
        return {
            "ticket": {
                "label": ticket.label,
                "service": ticket.service,
                "service_name": service.name if service else ticket.service,
                "status": ticket.status,
                "day": ticket.day,
            },
            "open": reason is None,
            "reason": reason,
            "answered": row is not None,
            "corrections_left": max(0, CORRECTIONS_MAX - (row.get("corrections") or 0)) if row else CORRECTIONS_MAX,
            "response": None if not row or private else self._response(tx, row) if reason is None else closed_view(row),
        }

    @staticmethod
    def _response(tx: Tx, row: Mapping[str, Any]) -> dict[str, Any]:
        """A response as its visitor reads it back, with `wording_changed`: the elements whose wording is
        not the one they were answered under any more (the phone's "Ubah jawaban" asks those again)."""
        view = response_view(row)
        latest = tx.survey_wording_latest()
        changed: list[str] = []
        if row.get("wording") is not None and latest is not None and latest["id"] != row["wording"]:
            given = tx.survey_wordings([row["wording"]]).get(row["wording"])
            changed = changed_elements(given["texts"], latest["texts"]) if given else []
        view["wording_changed"] = changed
        return view

    def state(self, ref: str, last4: str | None = None, who: str = "") -> dict[str, Any]:
        """The survey of one ticket: whether it is open (and why not), and the response given, if any.
        `who`: the asking device's address (its wrong digits count for it alone)."""
        with self.unit.store.read() as tx:
            now = self.unit.clock()
            return self._state(tx, self._find(tx, ref, last4, now, who), now, private=last4 is not None)

    def submit(
        self, data: Mapping[str, Any], request_key: str | None = None, channel: str = "phone", who: str = ""
    ) -> Outcome:
        """Answer the survey of a served ticket of today (201), or correct the answer given (200); 409 when
        the ticket is not yet served or its day is over, or it was corrected CORRECTIONS_MAX times. One
        `survey_answered` event; none for a correction that changes nothing (200 all the same).

        A correction never takes away a text the visitor left: without a text (absent, null, "") the one
        given before stays. A new or changed text replaces it: the earlier text and the office's reply or
        close to it go to the complaint's history, and the complaint is open again.

        The answers are kept as given under the wording the page showed (`wording`, the questionnaire's id
        from GET /api/survey; 422 for one never kept), else under the wording in use."""
        bad: dict[str, str] = {}
        try:
            ref, last4 = ticket_ref(data)
        except FormIncomplete as err:
            bad.update(err.fields)
        try:
            row, suggestion = check_response(data)
        except FormIncomplete as err:
            bad.update(err.fields)
        if bad:
            raise FormIncomplete(bad)
        row["channel"] = channel if channel in CHANNELS else "phone"

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self._find(tx, ref, last4, now, who)
            reason = self._reason(ticket, now)
            if reason == "day_over":
                raise QueueError("survey_closed", label=ticket.label)
            if reason == "not_served":
                raise QueueError("survey_not_served", label=ticket.label)
            private = last4 is not None
            # what the request_id keeps (a few bytes, not the state): a repeat answers the state as it
            # is then, and a late retry of a resubmission that changed nothing does not change it either
            kept = {"survey_of": ticket.id, "private": private}
            if row["wording"] is None:
                row["wording"] = self._wording_now(tx, now)  # an API client that does not say: the one in use
            elif not tx.survey_wordings([row["wording"]]):
                raise FormIncomplete({"wording": "invalid"})
            old = tx.survey_response(ticket.id)
            service, counter_id = self._served_where(tx, ticket)
            if old is None:
                full = {**row, "ticket_id": ticket.id, "day": ticket.day, "service": service}
                full["counter_id"] = counter_id
                response_id = tx.insert_survey_response(full, suggestion, now)
                text, text_changed = suggestion, suggestion is not None
            else:
                response_id = old["id"]
                text = old["suggestion"] if suggestion is None else suggestion
                text_changed = text != old["suggestion"]
                if not text_changed and _unchanged(old, row):  # nothing to write
                    # and said so, to the page that showed the answers (by token): "sudah diperbarui" was said of
                    # nothing; not by label and digits (the tablet is never told what a ticket answered)
                    if not private:
                        kept["unchanged"] = True
                    return Outcome(self._answer(tx, ticket, now, kept), kept=kept)
                if (old.get("corrections") or 0) >= CORRECTIONS_MAX:
                    raise QueueError("survey_corrections_spent", label=ticket.label, max=CORRECTIONS_MAX)
                tx.update_survey_response(response_id, row, now)
                if text_changed:
                    tx.set_complaint_text(old, text, now)
            data_ = {
                "response_id": response_id,
                "corrected": old is not None,
                "complaint": text is not None,
                "text_changed": text_changed,
            }
            tx.add_event("survey_answered", now, self.unit.day(now), ticket.id, counter_id, row["channel"], data_)
            kind = Kind.CREATED if old is None else Kind.DONE
            return Outcome({"survey": self._state(tx, ticket, now, private=private)}, kind, kept=kept)

        def replay(tx: Tx, now: datetime, kept: Any) -> Any:
            if not (isinstance(kept, dict) and "survey_of" in kept):
                return kept  # a whole answer, kept before the reference was
            ticket = tx.ticket(kept["survey_of"])
            if ticket is None:  # the ticket is gone (retention): what a lookup of it answers
                raise NotFound("ticket_not_found")
            return self._answer(tx, ticket, now, kept)

        return self.unit.run(request_key, run, replay)

    def _answer(self, tx: Tx, ticket: Ticket, now: datetime, kept: Mapping[str, Any]) -> dict[str, Any]:
        """POST /api/survey's answer: the survey as it is now, and `unchanged` (true) for a resubmission by token that
        changed nothing."""
        out: dict[str, Any] = {"survey": self._state(tx, ticket, now, private=kept["private"])}
        if kept.get("unchanged"):
            out["unchanged"] = True
        return out

    # -- the index ---------------------------------------------------------------------------------
    def skm(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> dict[str, Any]:
        """The SKM of the days (optionally one service, one counter): the index, its population and minimum
        sample, per service and per counter, the respondent profile, the suggestions (never a name), and the
        wordings the answers were given under (`wordings`; each element's `texts`, _wording_report)."""
        settings = self.unit.settings
        with self.unit.store.read() as tx:
            sums = tx.skm_sums(day_from, day_to, service, counter_id)
            served = tx.served_population(day_from, day_to, service, counter_id)
            profile = tx.skm_profile_counts(day_from, day_to, service, counter_id)
            suggestions = tx.skm_suggestions(day_from, day_to, service, counter_id)
            used = tx.skm_wording_counts(day_from, day_to, service, counter_id)
            kept = tx.survey_wordings([r["wording"] for r in used if r["wording"] is not None])
            current = None if used else wording_of(tx.survey_texts())
        names = {s.code: s.name for s in settings.services}
        totals: dict[tuple[str, Any], dict[str, int]] = {}  # ("all" | "service" | "counter", key) -> sums
        population: dict[tuple[str, Any], int] = {}
        for r in sums:
            for group in (("all", ""), ("service", r["service"]), ("counter", r["counter_id"])):
                acc = totals.setdefault(group, {})
                for k, v in r.items():
                    if k not in ("service", "counter_id"):
                        acc[k] = acc.get(k, 0) + (v or 0)
        for r in served:
            for group in (("all", ""), ("service", r["service"]), ("counter", r["counter_id"])):
                population[group] = population.get(group, 0) + r["n"]

        def figures(group: tuple[str, Any]) -> dict[str, Any]:
            index = _index(totals.get(group))
            pop = population.get(group, 0)
            return {
                **index.view(),
                "population": pop,
                "min_sample": skm.min_sample(pop),
                "elements": [{"code": e.code, "sum": e.total, "answers": e.answers} for e in index.elements],
            }

        out: dict[str, Any] = {"from": day_from, "to": day_to, "filters": {}, **figures(("all", ""))}
        if service:
            out["filters"]["service"] = service
        if counter_id is not None:
            out["filters"]["counter"] = counter_id
        out["sample_enough"] = out["respondents"] >= out["min_sample"]
        out["wordings"], texts = _wording_report(used, kept, current)
        for e in out["elements"]:
            e["texts"] = texts[e["code"]]
        out["element_names"] = {code: t(f"skm.element.{code.lower()}") for code in skm.ELEMENTS}
        codes = {key for kind, key in (*totals, *population) if kind == "service"}
        out["by_service"] = [
            {"service": code, "service_name": names.get(code, code), **figures(("service", code))}
            for code in sorted(codes, key=lambda c: (c not in names, c))
        ]
        counters = {key for kind, key in (*totals, *population) if kind == "counter"}
        out["by_counter"] = [
            {"counter_id": cid, "counter_name": self.unit.counter_name(cid), **figures(("counter", cid))}
            for cid in sorted(counters, key=lambda c: (c is None, c or 0))
        ]
        out["profile"] = _profile(profile, out["respondents"])
        out["suggestions"] = [
            {
                "id": r["id"],
                "day": r["day"],
                "created_at": r["created_at"],
                "service": r["service"],
                "service_name": names.get(r["service"], r["service"]),
                "text": r["suggestion"],
                "answer": r["answer"],
                "answered_at": r["answered_at"],
                "closed_at": r["closed_at"],  # closed with no reply needed (praise)
            }
            for r in suggestions
        ]
        return out

    def skm_file(self, day_from: str, day_to: str, service: str | None, counter_id: int | None, fmt: str) -> bytes:
        """The SKM as JSON, CSV or XLSX bytes (server/skm_report.py); an XLSX of more than a month is made in a
        child process under gevent (server/report_job.py), as the recap is."""
        import json

        from server import skm_report

        summary = self.skm(day_from, day_to, service, counter_id)
        if fmt == "json":
            return json.dumps(summary, ensure_ascii=False).encode()
        if fmt == "csv":
            return skm_report.skm_csv(summary, self.unit.settings.office.tz, self.unit.settings.office.name)
        from server.report_job import make_skm_xlsx

        job = {
            "from": day_from,
            "to": day_to,
            "service": service,
            "counter": counter_id,
            "summary": summary,
            "office": self.unit.settings.office.name,
            "tz": self.unit.settings.office.timezone,
            "counters": {str(c.id): c.name for c in self.unit.settings.counters},
        }
        return make_skm_xlsx(self.unit.store, job)  # a long range is made off the event loop

    # -- complaints ---------------------------------------------------------------------------------
    def complaints(self, status: str = "all", day_from: str | None = None, day_to: str | None = None) -> list:
        """The complaints of complaint_list, without the counts."""
        return self.complaint_list(status, day_from, day_to)["complaints"]

    def _done_between(self, day_from: str | None, day_to: str | None, by: str) -> tuple[str, str] | None:
        """For `by` "handled": the office's local days `day_from`..`day_to` as [start, end) UTC instants (ISO, as
        answered_at and closed_at are stored); None for "received" (the days are the tickets')."""
        if by != "handled" or day_from is None or day_to is None:
            return None
        tz = self.unit.settings.office.tz
        start = datetime.combine(date.fromisoformat(day_from), time(), tz)
        end = datetime.combine(date.fromisoformat(day_to) + timedelta(days=1), time(), tz)
        return iso(start), iso(end)

    def complaint_list(
        self,
        status: str = "all",
        day_from: str | None = None,
        day_to: str | None = None,
        viewer: str | None = None,
        by: str = "received",
    ) -> dict:
        """{complaints, counts, limit, from, to, by}: suggestions and complaints with their age, the answer or
        close and who gave it, and what replaced them before (history): the open ones oldest first (the newest
        COMPLAINTS_LIMIT of them), then the answered and closed ones most recently done first (at most
        COMPLAINTS_LIMIT); `counts`, the true number open, answered and closed. Each says whether it is
        about the service `viewer` gave (`own`: another answers or closes it).

        The days `day_from`..`day_to` (all when not given): `by` "received", the complaints whose ticket's
        day is one of them, whatever their state (a month's report); "handled", every complaint still open
        whatever its day, and those answered or closed in those days (the complaints page's first view)."""
        now = self.unit.clock()
        done_between = self._done_between(day_from, day_to, by)
        with self.unit.store.read() as tx:
            rows = tx.complaints(status, day_from, day_to, COMPLAINTS_LIMIT, done_between)
            history = tx.complaint_history([r["id"] for r in rows])
            counts = tx.complaint_counts(day_from, day_to, done_between)
            names = names_of(tx.users())
            own = (
                tx.served_by([r["ticket_id"] for r in rows if r["ticket_id"] is not None], viewer) if viewer else set()
            )
        return {
            "complaints": [
                self._complaint(r, now, history.get(r["id"], []), names, r["ticket_id"] in own) for r in rows
            ],
            "counts": counts,
            "limit": COMPLAINTS_LIMIT,
            "from": day_from,
            "to": day_to,
            "by": by,
        }

    def complaint_file(self, status: str, day_from: str, day_to: str, by: str, fmt: str) -> bytes:
        """The complaints of a list (complaint_list's filters) as CSV or XLSX: every one of them, never cut at
        COMPLAINTS_LIMIT (one row at a time from the store: the period is at most reports.MAX_RANGE_DAYS),
        in the order received. Columns COMPLAINT_KEYS (complaint_columns); the workbook's head names the office,
        the period and its counts."""
        settings = self.unit.settings
        tz = settings.office.tz
        done_between = self._done_between(day_from, day_to, by)
        with self.unit.store.read() as tx:
            names = names_of(tx.users())
            rows = (
                complaint_row(r, tz, names, self._service_name(r["service"]))
                for r in tx.complaints_iter(status, day_from, day_to, done_between)
            )
            zone = zone_abbreviation(self.unit.clock().astimezone(tz))
            if fmt == "csv":
                return complaints_csv(rows, zone)
            counts = tx.complaint_counts(day_from, day_to, done_between)
            head = complaint_period_line(day_from, day_to, by, status)
            return complaints_xlsx(rows, settings.office.name, head, counts, zone)

    def _service_name(self, code: str) -> str:
        service = self.unit.settings.service(code)
        return service.name if service else code

    def _complaint(
        self,
        r: Mapping[str, Any],
        now: datetime,
        history: list[dict[str, Any]],
        names: Mapping[str, str],
        own: bool = False,
    ) -> dict[str, Any]:
        """One complaint as the page shows it; who answered or closed it also by `names` (login name -> full
        name: what a person reads, the login name when the account has no full name)."""
        settings = self.unit.settings

        def name(username: str | None) -> str | None:
            return names.get(username, username) if username else username

        service = settings.service(r["service"])
        written = datetime.fromisoformat(r.get("text_at") or r["created_at"])
        done = r["answered_at"] or r.get("closed_at")
        ended = datetime.fromisoformat(done) if done else None
        return {
            "id": r["id"],
            "day": r["day"],
            "label": r.get("label"),
            "service": r["service"],
            "service_name": service.name if service else r["service"],
            "counter_id": r["counter_id"],
            "counter_name": self.unit.counter_name(r["counter_id"]),
            "text": r["suggestion"],
            "created_at": r["created_at"],
            "text_at": iso(written),
            "age_s": max(0, int(((ended or now) - written).total_seconds())),
            "status": complaint_status(r),
            "own": own,
            "answer": r["answer"],
            "answered_by": r["answered_by"],
            "answered_by_name": name(r["answered_by"]),
            "answered_at": r["answered_at"],
            "closed_by": r.get("closed_by"),
            "closed_by_name": name(r.get("closed_by")),
            "closed_at": r.get("closed_at"),
            "history": [
                {
                    "kind": h["kind"],
                    "text": h["text"],
                    "by": h["actor"],
                    "by_name": name(h["actor"]),
                    "at": h["at"],
                    "replaced_at": h["replaced_at"],
                }
                for h in history
            ],
        }

    def _one(self, tx: Tx, complaint_id: int, now: datetime, viewer: str | None = None) -> dict[str, Any]:
        row = tx.survey_response_by_id(complaint_id)
        history = tx.complaint_history([complaint_id]).get(complaint_id, [])
        return self._complaint(row, now, history, names_of(tx.users()), _about(tx, row, viewer))

    def _complaint_row(self, tx: Tx, complaint_id: int | None) -> dict[str, Any]:
        row = tx.survey_response_by_id(complaint_id) if complaint_id is not None else None
        if row is None or row["suggestion"] is None:
            raise NotFound("complaint_not_found")
        return row

    def answer_complaint(
        self, ref: str, payload: Mapping[str, Any], actor: str, request_key: str | None = None
    ) -> Outcome:
        """Record the office's answer to a complaint (open, answered or closed: a new answer replaces the
        last, or the close, which stay in its history); a `complaint_answered` event. The same answer again
        changes nothing (and writes no event). 403 complaint_own_service for one about the service `actor`
        gave (close_complaint)."""
        bad: dict[str, str] = {}
        answer = clean_text(dict(payload), "answer", ANSWER_MAX, True, bad, multiline=True)
        complaint_id = parse_id(ref)
        if complaint_id is None:
            raise NotFound("complaint_not_found")
        if bad:
            raise FormIncomplete(bad)

        def run(tx: Tx, now: datetime) -> Outcome:
            row = self._complaint_row(tx, complaint_id)
            if _about(tx, row, actor):
                raise Forbidden("complaint_own_service")
            if row["answered_at"] is not None and row["answer"] == answer:
                return Outcome({"complaint": self._one(tx, complaint_id, now, actor)})
            tx.answer_complaint(row, answer, actor, now)
            event = tx.add_event(
                "complaint_answered",
                now,
                self.unit.day(now),
                None,
                row["counter_id"],
                actor,
                {"complaint_id": complaint_id, "again": row["answered_at"] is not None},
            )
            _to_its_visitor(tx, event, row)
            return Outcome({"complaint": self._one(tx, complaint_id, now, actor)})

        return self.unit.run(request_key, run)

    def close_complaint(self, ref: str, actor: str, request_key: str | None = None, closed: bool = True) -> Outcome:
        """Close a complaint that needs no reply ("Tidak perlu dijawab": praise, a thank-you), with who and
        when, a `complaint_closed` event; or, `closed=False`, open again one closed without a reply (the
        close stays in its history), a `complaint_reopened` event. 409 complaint_already_answered for one
        answered (change the answer instead); one already so changes nothing. An answer replaces a close.
        403 complaint_own_service to close one about the service `actor` gave (the officer who served the
        ticket), as to answer it: the front office or another officer answers or closes it, so that a
        complaint is never buried, or answered with a dot, by the one it is about. Opening it again is not
        refused (it only brings it back among the open ones)."""
        complaint_id = parse_id(ref)

        def run(tx: Tx, now: datetime) -> Outcome:
            row = self._complaint_row(tx, complaint_id)
            if row["answered_at"] is not None:
                raise QueueError("complaint_already_answered")
            if closed and row.get("closed_at") is None and _about(tx, row, actor):
                raise Forbidden("complaint_own_service")
            if (row.get("closed_at") is None) == closed:
                if closed:
                    tx.close_complaint(row["id"], actor, now)
                else:
                    tx.reopen_complaint(row, now)
                data = {"complaint_id": row["id"]}
                kind = "complaint_closed" if closed else "complaint_reopened"
                event = tx.add_event(kind, now, self.unit.day(now), None, row["counter_id"], actor, data)
                _to_its_visitor(tx, event, row)
            return Outcome({"complaint": self._one(tx, row["id"], now, actor)})

        return self.unit.run(request_key, run)


def _to_its_visitor(tx: Tx, event: dict[str, Any], row: Mapping[str, Any]) -> None:
    """A complaint's event (it names no ticket) reaches, besides the staff, its visitor's own phone page alone
    (server.realtime.public_room, by its ticket's token); no page while the ticket's link is gone (retention)."""
    ticket = tx.ticket(row["ticket_id"]) if row.get("ticket_id") is not None else None
    if ticket is not None:
        event["owner_token"] = ticket.token


def _about(tx: Tx, row: Mapping[str, Any], username: str | None) -> bool:
    """Whether a complaint (a survey response) is about the service `username` gave: they served its ticket
    (Tx.served_by: a transfer's first officer too). Not when the ticket's link is gone (retention)."""
    ticket_id = row.get("ticket_id")
    return username is not None and ticket_id is not None and ticket_id in tx.served_by([ticket_id], username)


def _index(sums: Mapping[str, Any] | None) -> skm.Index:
    if sums is None:
        return skm.index_from_sums(0, {}, {})
    codes = {code: code.lower() for code in skm.ELEMENTS}
    return skm.index_from_sums(
        sums["respondents"],
        {code: sums[f"s_{col}"] for code, col in codes.items()},
        {code: sums[f"n_{col}"] for code, col in codes.items()},
    )


def _wording_report(
    used: list[dict[str, Any]], kept: Mapping[int, dict[str, Any]], current: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The wordings a period's answers were given under, and each element's texts among them.

    `used`: per wording (None: not recorded) its responses and first and last day (skm_wording_counts);
    `kept`: those wordings by id; `current`: the wording in use, for a period with no answers. The list:
    {id, set_at, by, model (only the model questionnaire's words), changed (the elements that differ from
    the wording listed before it; [] for the first, null next to one not recorded), responses, first_day,
    last_day}. Per element, its question and choices once per different text, with the ids of the
    wordings that had it (`wordings`: [] for the wording in use when nothing was answered); an element
    answered under one text has one."""
    listed: list[dict[str, Any]] = []
    before: dict[str, Any] | None = None
    for i, r in enumerate(used):
        w = kept.get(r["wording"]) if r["wording"] is not None else None
        texts = w["texts"] if w else None
        if i == 0:
            changed: list[str] | None = []
        else:
            changed = changed_elements(before, texts) if before is not None and texts is not None else None
        listed.append(
            {
                "id": r["wording"],
                "set_at": w["set_at"] if w else None,
                "by": w["actor"] if w else None,
                "model": not w["custom"] if w else None,
                "changed": changed,
                "responses": r["responses"],
                "first_day": r["first_day"],
                "last_day": r["last_day"],
            }
        )
        before = texts
    sources = [([w["id"]], kept[w["id"]]["texts"]) for w in listed if w["id"] in kept]
    if current is not None:
        sources = [([], current)]
    per_element: dict[str, list[dict[str, Any]]] = {}
    for code in skm.ELEMENTS:
        groups: list[dict[str, Any]] = []
        for ids, texts in sources:
            entry = texts[code]
            choices = [{"score": score, **c} for score, c in zip(skm.SCORES, entry["choices"], strict=True)]
            same = next((g for g in groups if g["question"] == entry["question"] and g["choices"] == choices), None)
            if same is not None:
                same["wordings"] += ids
            else:
                groups.append({"wordings": list(ids), "question": entry["question"], "choices": choices})
        per_element[code] = groups
    return listed, per_element


def _profile(combinations: list[tuple[Any, ...]], respondents: int) -> dict[str, Any]:
    """The profile's tables from (sex, age, education, occupation, count) rows: per item, each choice's
    count and share of the respondents (UNKNOWN: left out), every choice listed even at 0."""
    counts: dict[str, dict[str, int]] = {item: {} for item in skm.PROFILE_CHOICES}
    for sex, age, education, occupation, n in combinations:
        for item, value in (
            ("sex", sex),
            ("age", skm.age_band(age)),
            ("education", education),
            ("occupation", occupation),
        ):
            key = skm.UNKNOWN if value is None else value
            counts[item][key] = counts[item].get(key, 0) + n
    out: dict[str, Any] = {}
    for item, choices in skm.PROFILE_CHOICES.items():
        rows = []
        for code in (*choices, skm.UNKNOWN):
            n = counts[item].get(code, 0)
            rows.append({"code": code, "count": n, "share": round(n / respondents, 4) if respondents else None})
        out[item] = rows
    return out
