"""The one catalogue of words (server/i18n/id.json, en.json): the two agree, and no page keeps its own table."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from server import i18n, messages, reports

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {lang: json.loads((ROOT / "server" / "i18n" / f"{lang}.json").read_text("utf-8")) for lang in i18n.LANGS}
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
# The names the pages' old word tables had: none may come back.
OLD_TABLES = (
    re.compile(r"\baddTexts\s*\("),  # counter/static/*.js
    re.compile(r"\bSTRINGS\s*=\s*\{"),  # kiosk.js, phone.js
    re.compile(r"\b(TEXT|TEXTS|WORDS|MESSAGES)\s*=\s*\{"),
)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_catalogues_have_the_same_keys():
    assert set(CATALOGUES["id"]) == set(CATALOGUES["en"])
    assert list(CATALOGUES["id"]) == list(CATALOGUES["en"]), "keep the keys in the same order"


def test_every_key_has_a_page_prefix_and_a_text():
    for lang, words in CATALOGUES.items():
        for key, text in words.items():
            assert KEY.match(key), key
            assert isinstance(text, str) and text, (lang, key)


def test_the_indonesian_catalogue_spells_antrian_as_the_sop_does_and_quotes_as_indonesian_does():
    """The SOP writes "antrian"; fourteen texts had KBBI's "antrean" beside it (and "diantrekan"), and three
    quoted with « », which Indonesian does not use (“ ” elsewhere)."""
    odd = {key: text for key, text in CATALOGUES["id"].items() if re.search(r"antre|«|»", text, re.IGNORECASE)}
    assert odd == {}


def test_a_visitors_wait_keeps_its_number_with_its_sign_and_unit_on_one_line():
    """On a 360 px phone "Perkiraan waktu tunggu: ± 38 menit" broke after the "±" (found playing a visit
    through, helper-141): the kiosk's and the phone's wait join "±", the number and "menit" (en: "min") with
    no-break spaces."""
    for key in ("kiosk.wait_min", "phone.wait_min"):
        assert "±\u00a0{n}\u00a0menit" in CATALOGUES["id"][key], key
        assert "{n}\u00a0min" in CATALOGUES["en"][key], key


def test_the_same_placeholders_in_both_languages():
    """Every key's {placeholders} the same in both catalogues; each key that differs named with both sets. One test
    for the 2,300 keys: as one test each they cost pytest and its workers 30 s of a run's CPU to report."""
    differ = {
        key: (placeholders(CATALOGUES["id"][key]), placeholders(CATALOGUES["en"].get(key, "")))
        for key in sorted(CATALOGUES["id"])
        if placeholders(CATALOGUES["id"][key]) != placeholders(CATALOGUES["en"].get(key, ""))
    }
    assert len(CATALOGUES["id"]) > 2000
    assert not differ, f"{len(differ)} keys: {differ}"


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT).as_posix() for d in ("kiosk", "display", "counter") for p in (ROOT / d).rglob("*.js")),
)
def test_no_page_script_keeps_its_own_table_of_words(path):
    source = (ROOT / path).read_text("utf-8")
    for pattern in OLD_TABLES:
        assert not pattern.search(source), f"{path}: words belong in server/i18n/*.json ({pattern.pattern})"


def test_python_readers_take_their_words_from_the_catalogue():
    import display

    assert messages.message("login_throttled", "en", minutes=5) == "Too many failed logins. Try again in 5 minutes."
    assert messages.message("invalid_transition", "id", label="A-001", status="called") == (
        "Tiket A-001 berstatus dipanggil; tindakan ini tidak bisa dilakukan."
    )
    assert display.TEXT["en"]["title"] == "Queue Display" and display.TEXT["id"]["title"] == "Layar Antrian"
    assert reports.RECAP_COLUMNS[:2] == ("No", "Nama") and reports.RECAP_TITLE == i18n.t("recap.title")
    for name in ("display/__init__.py", "server/messages.py", "server/reports.py"):
        source = (ROOT / name).read_text("utf-8")
        assert "Layar Antrian" not in source and "Wajib diisi" not in source and "Eskalasi ke Helpdesk" not in source


def test_t_fills_placeholders_and_falls_back_to_the_key():
    assert i18n.t("error.counter_taken", "en", officer="budi") == "This counter is in use by budi."
    assert i18n.t("error.counter_taken", "xx", officer="budi") == "Loket ini sedang dipakai oleh budi."
    assert i18n.t("no.such.key", "id") == "no.such.key"


def test_a_staff_page_gets_the_shared_words_and_its_own():
    words = i18n.page_pairs("front")
    assert words["status.waiting"] == ["menunggu", "waiting"]
    assert words["login.title"] == ["Masuk", "Log in"]
    assert words["login.wrong_role"] == [
        CATALOGUES["id"]["front.login.wrong_role"],
        CATALOGUES["en"]["front.login.wrong_role"],
    ]


# -- the words printed and rendered by Python and by the templates come from the catalogue too ------------

TEMPLATES = sorted(p for d in ("kiosk", "display", "counter") for p in (ROOT / d).rglob("templates/**/*.html"))
JINJA = re.compile(r"\{% block body_class %\}.*?\{% endblock %\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TR_KEY = re.compile(r"""\btr\(\s*["']([a-z0-9_.]+)["']""")
W_KEY = re.compile(r"""\bw\(\s*["']([a-z0-9_.]+)["']""")
# data-i18n (the text), -title, -placeholder and -label (the aria-label: common.js, survey.js set it from the key)
DATA_KEY = re.compile(r"""\bdata-i18n(?:-title|-placeholder|-label)?=["']([a-z0-9_.]+)["']""")
# What a template may still spell out itself: names of keys and brands, not words to translate.
NOT_WORDS = {"LPSE", "⇪ ABC", "Shift", "Enter", "Ctrl+Enter", "SKM"}


class _TemplateText(__import__("html.parser").parser.HTMLParser):
    """The text a template shows (its Jinja taken out): text nodes and the attributes people read."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "code")
        for name, value in attrs:
            if name in ("title", "alt", "aria-label", "placeholder") and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "code") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


@pytest.mark.parametrize("path", [p.relative_to(ROOT).as_posix() for p in TEMPLATES])
def test_a_template_shows_only_the_catalogues_words(path):
    """Titles, labels and first-render defaults are `w(key)` (the page's data-i18n words) or `tr(key)`."""
    source = (ROOT / path).read_text("utf-8")
    for key in TR_KEY.findall(source):
        if key.endswith("."):  # tr("skm.kinerja." ~ grade): the page's test renders those
            continue
        assert key in CATALOGUES["id"], f"{path}: tr({key!r}) is not in server/i18n/*.json"
    staff_words = {
        k for page in ("staff", "counter", "front", "escalations", "complaints", "admin") for k in i18n.page_pairs(page)
    }
    page_words = staff_words | {k for p in ("kiosk", "phone") for k in i18n.section(p, "id")}
    page_words |= {f"survey.{k}" for k in i18n.section("survey", "id")}
    for key in W_KEY.findall(source):
        assert key in page_words, f"{path}: w({key!r}) is not a word of its page"
    for key in DATA_KEY.findall(source):  # the page's script would show the key itself
        assert key in page_words, f"{path}: data-i18n {key!r} is not a word of its page"
    parser = _TemplateText()
    parser.feed(JINJA.sub(" ", source))
    shown = (" ".join(re.findall(r"[^\s—·]+", text)) for text in parser.found)
    left = [text for text in shown if re.search(r"[A-Za-z]{2,}", text) and text not in NOT_WORDS]
    assert not left, f"{path}: words outside server/i18n/*.json: {left}"


def test_the_slips_print_the_catalogues_words(monkeypatch):
    from test_printers import make_form, make_slip

    from printers import slips
    from shared import words

    source = (ROOT / "printers" / "slips.py").read_text("utf-8")
    for key, text in CATALOGUES["id"].items():
        if key.startswith("slip."):
            assert text.split(" {")[0] not in source, f"printers/slips.py spells out {key}"
    slip = make_slip()  # 28 November 2026, 3 ahead
    assert "Antrian di depan Anda: 3" in slips.slip_text(slip)
    monkeypatch.setitem(words.catalogue("id"), "slip.ahead", "Di depan: {ahead}")
    monkeypatch.setitem(words.catalogue("id"), "date.day.saturday", "SABTU")
    text = slips.slip_text(slip)
    assert "Di depan: 3" in text and "SABTU, 28 November 2026" not in text  # the dates' names are read once
    form = make_form(escalation_note="ke LKPP", lkpp_ticket="T-1")
    monkeypatch.setitem(words.catalogue("id"), "slip.lkpp_ticket", "Nomor LKPP")
    assert "Nomor LKPP: T-1" in slips.form_copy_text(form)


def string_constants(name: str) -> list[str]:
    """The string constants of a Python file (f-strings' literal parts too), without its docstrings."""
    tree = ast.parse((ROOT / name).read_text("utf-8"))
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and id(n) not in docs and isinstance(n.value, str)
    ]


def test_dates_and_opening_hours_read_their_names_from_the_catalogue():
    from shared import dates

    assert dates.MONTHS_ID[10] == CATALOGUES["id"]["date.month.november"] == "November"
    assert dates.day_names("en")[0] == "Monday" and dates.month_names("id", short=True)[7] == "Agu"
    for name in ("shared/dates.py", "server/hours.py", "server/figures.py", "server/service/office.py"):
        texts = string_constants(name)
        for word in ("Januari", "January", "Senin", "Monday", "Agu", "Buka kembali", "Belum ada jadwal", "opens again"):
            assert not [text for text in texts if word in text], (
                f"{name} spells out {word!r}: it belongs in server/i18n/*.json"
            )


# The names the recap, the dashboard's figures and the low-disk alert show, once spelled out in Python.
MOVED_WORDS = (
    "Pengaduan",
    "Pertanyaan",
    "Konsultasi",
    "Complaint",
    "Waktu tunggu",
    "Waktu respons",
    "Waktu layanan",
    "Waktu eskalasi",
    "Waiting time",
    "Minggu",
    "tanpa petugas",
    "s.d.",
    "Selesai",
    "Eskalasi",
    "Keterangan",
    "Permasalahan",
    "Ruang disk",
    "Disk space",
)


def test_the_recap_figures_and_disk_alert_read_their_words_from_the_catalogue(monkeypatch):
    from server import core, figures
    from server.service import upkeep
    from shared import words

    assert core.CATEGORIES == tuple(reports.CATEGORY_NAMES)
    assert reports.CATEGORY_NAMES == {"pengaduan": "Pengaduan", "pertanyaan": "Pertanyaan", "konsultasi": "Konsultasi"}
    assert reports.OUTCOME_NAMES[core.ESCALATED] == "Eskalasi ke Helpdesk LKPP"
    assert figures.MEASURE_NAMES_ID == {
        "form": "Waktu formulir",
        "waiting": "Waktu tunggu",
        "response": "Waktu respons",
        "service": "Waktu layanan",
        "escalation": "Waktu eskalasi",
        "copy": "Waktu salinan formulir",
    }
    assert figures.label("week", "2026-W48") == "Minggu 48 / 2026" and figures.label("officer", "") == "(tanpa petugas)"
    assert reports.period_id("2026-11-01", "2026-11-30") == "1 November 2026 s.d. 30 November 2026"
    monkeypatch.setitem(words.catalogue("id"), "figures.week", "Pekan {week}/{year}")
    monkeypatch.setitem(words.catalogue("en"), "upkeep.disk_low", "{free_mb} MB on {folder}")
    assert figures.label("week", "2026-W48") == "Pekan 48/2026"
    monkeypatch.setattr(upkeep.os, "statvfs", lambda folder: type("St", (), {"f_bavail": 3, "f_frsize": 2**20}))
    server = type(
        "Srv", (), {"database": Path("/nonexistent/a.db"), "data_dir": Path("/nonexistent/d"), "min_free_mb": 9}
    )
    message = upkeep.disk_view(server)["message"]
    assert message == {
        "id": "Ruang disk hampir penuh: tersisa 3 MB di / — hapus arsip lama atau tambah disk",
        "en": "3 MB on /",
    }
    for name in (
        "server/core.py",
        "server/reports.py",
        "server/figures.py",
        "server/service/upkeep.py",
        "counter/__init__.py",
    ):
        texts = string_constants(name)
        for word in MOVED_WORDS:
            assert not [text for text in texts if word in text], (
                f"{name} spells out {word!r}: it belongs in server/i18n/*.json"
            )
        assert not {"Total", "Rekap"} & set(texts), f"{name} spells out a word of server/i18n/*.json"


def test_the_survey_grades_name_the_catalogues_words():
    """server/skm.py keeps the regulation's table (plain Python, no I/O): its words are the catalogue's."""
    from server import skm

    for _, mutu, kinerja in skm.GRADES:
        assert kinerja == CATALOGUES["id"][f"skm.kinerja.{mutu.lower()}"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_tv_page_names_its_running_text_in_its_own_language(client, lang):
    html = client.get(f"/display/?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f'class="marquee" aria-label="{CATALOGUES[lang]["page.display.running_text"]}"' in html


# the command line's counted nouns (server/cli.py `counted`): each `cli.count.<noun>` has its `.one`
CLI_COUNTS = tuple(
    f"cli.count.{noun}"
    for noun in (
        "tickets",
        "recap_rows",
        "survey_answers",
        "accounts",
        "forms",
        "stored_answers",
        "survey_responses",
        "open_cases",
        "consultations",
        "visitors",
        "clips",
        "words",
        "escalation_mails",
    )
)


# Counts a person reads that can be 1 (an upload of one clip, one new change in the front office's list, one
# respondent, a counter released after 1 minute): said so that "1" reads right in English, which has
# plurals (Indonesian has none): "Clips saved: 1", not "1 clips saved" (found sweeping every page, helper-156).
COUNTS_THAT_CAN_BE_ONE = (
    "front.list.pending",
    "admin.voice.uploaded",
    "admin.voice.loaded",
    "admin.kept.row",
    "skm.page.dashboard_line",
    "page.dashboard.copy_unprinted",
    "counter.released.auto_at",
    "front.auto.released",
    "display.person",
    # the singular of a count the code picks for 1 (SINGULARS below)
    "error.login_throttled.one",
    "error.calls_exhausted.one",
    "counter.hint.exhausted.one",
    "counter.hint.exhausted_final.one",
    "skm.wording.count.one",
    # helper-160: a mail that failed at once (escalations.js), one complaint left out of the list (complaints.js),
    # a daily quota of 1 (server/messages.py COUNTED), the counter's timer under [sla] service_minutes = 1, and
    # the command line's counts: its sentences take `cli.count.<noun>` ("1 ticket", server/cli.py `counted`)
    "escalations.mail.failed.one",
    "escalations.mail.failed_forwarded.one",
    "complaints.cut_open.one",
    "error.quota_reached.one",
    "counter.timer.over.one",
    *(f"{many}.one" for many in CLI_COUNTS),
    "cli.archive.holds",
    "cli.archive.holds_transferred",
    "cli.archive.replaced",
    "cli.restore.holds",
    "cli.repair.holds",
    "cli.go_live.what",
    "cli.go_live.what_span",
    "cli.go_live.kept",
    "cli.demo.done",
    "cli.retention.done",
    "cli.voice.pack",
    "cli.voice.missing",
    "cli.voice.intro_missing",
)
ONE_AND_A_PLURAL = re.compile(
    r"\b1 (?:new |older |recap |survey |stored )?(?:clips|rows|respondents|visitors|changes|copies|minutes|people"
    r"|times|answers|tickets|forms|accounts|consultations|words|attempts|responses|numbers|ones)\b"
)
# singular and plural keys: the pages and the Python pick the first for a count of 1 (display.js, sections.js,
# counter.js, cli.py, server/messages.py COUNTED, server/skm_report.py)
SINGULARS = (
    ("display.person", "display.people"),
    ("admin.kept.row", "admin.kept.rows"),
    ("error.login_throttled.one", "error.login_throttled"),
    ("error.calls_exhausted.one", "error.calls_exhausted"),
    ("counter.hint.exhausted.one", "counter.hint.exhausted"),
    ("counter.hint.exhausted_final.one", "counter.hint.exhausted_final"),
    ("skm.wording.count.one", "skm.wording.count"),
    ("escalations.mail.failed.one", "escalations.mail.failed"),
    ("escalations.mail.failed_forwarded.one", "escalations.mail.failed_forwarded"),
    ("complaints.cut_open.one", "complaints.cut_open"),
    ("error.quota_reached.one", "error.quota_reached"),
    ("counter.timer.over.one", "counter.timer.over"),
    *((f"{many}.one", many) for many in CLI_COUNTS),
)


@pytest.mark.parametrize("key", COUNTS_THAT_CAN_BE_ONE)
def test_a_count_of_one_reads_right_in_english(key):
    one = {name: 1 for name in placeholders(CATALOGUES["en"][key])}
    text = f"1 {CATALOGUES['en'][key]}" if key == "display.person" else i18n.t(key, "en", **one)
    assert not ONE_AND_A_PLURAL.search(text), text


def test_every_counted_noun_of_the_command_line_has_its_singular():
    """server/cli.py `counted(noun, n)` reads `cli.count.<noun>`, and `.one` for 1: none without the other."""
    nouns = {k.removesuffix(".one") for k in CATALOGUES["en"] if k.startswith("cli.count.")}
    assert nouns == set(CLI_COUNTS)
    for many in CLI_COUNTS:
        assert f"{many}.one" in CATALOGUES["en"], many
        assert placeholders(CATALOGUES["en"][many]) == {"n"}, many


def test_the_singular_and_plural_pairs_differ_only_in_english():
    """The pages pick the singular key for a count of 1 (display.js, sections.js); Indonesian says both alike."""
    for one, many in SINGULARS:
        assert CATALOGUES["id"][one] == CATALOGUES["id"][many], one
        assert CATALOGUES["en"][one] != CATALOGUES["en"][many], one


def test_a_refusal_counting_one_says_it_in_the_singular(app, client):
    """The answer's message for a count of 1 (server/messages.py COUNTED): "Try again in 1 minute" in the
    login's last minute, "called 1 time" under [queue] max_calls = 1; the code stays the same."""
    from conftest import login, visitor

    from server.auth import LoginThrottle

    h = login(app, client, "kepala", "admin")
    assert client.put("/api/admin/settings/queue", json={"value": {"max_calls": 1}}, headers=h).status_code == 200
    client.post("/api/tickets", json=visitor())
    assert client.post("/api/counters/1/call-next", headers=h).status_code == 200
    for lang, text in (
        ("en", "Ticket A-001 has been called 1 time. Skip it or call the next one."),
        ("id", "Tiket A-001 sudah dipanggil 1 kali. Lewati atau panggil berikutnya."),
    ):
        r = client.post(f"/api/counters/1/recall?lang={lang}", headers=h)
        assert r.status_code == 409 and r.get_json()["error"] == "calls_exhausted", r.get_json()
        assert r.get_json()["message"] == text

    app.extensions["antrian.login_throttle"] = LoginThrottle(limit=1, window=60)  # a wait under a minute
    assert client.post("/api/login", json={"username": "kepala", "password": "x" * 8}).status_code == 401
    for lang, text in (
        ("en", "Too many failed logins. Try again in 1 minute."),
        ("id", "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 1 menit."),
    ):
        r = client.post(f"/api/login?lang={lang}", json={"username": "kepala", "password": "rahasia-123"})
        assert r.status_code == 429 and r.get_json()["error"] == "login_throttled", r.get_json()
        assert r.get_json()["message"] == text
    assert messages.message("login_throttled", "en", minutes=2).endswith("in 2 minutes.")


def test_a_daily_quota_of_one_is_said_in_the_singular(app, client):
    """[[services]] daily_quota = 1 (a service of one appointment a day): the kiosk's refusal says "(1 number)"
    in English (server/messages.py COUNTED), the code stays quota_reached (helper-160)."""
    from conftest import login, visitor

    h = login(app, client, "kepala", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    one = [{**s, "daily_quota": 1} if s["code"] == "A" else s for s in services]
    r = client.put("/api/admin/settings/services", json={"value": one}, headers=h)
    assert r.status_code == 200, r.get_json()
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    for lang, said in (("en", "is used up (1 number). Please"), ("id", "sudah habis (1 nomor). Silakan")):
        r = client.post(f"/api/tickets?lang={lang}", json=visitor(name="Kedua"))
        assert r.status_code == 409 and r.get_json()["error"] == "quota_reached", r.get_json()
        assert said in r.get_json()["message"], r.get_json()
    assert messages.message("quota_reached", "en", service="A", quota=2).endswith(
        "used up (2 numbers). Please come back on the next service day."
    )


def test_the_skm_wording_note_counts_one_answer_in_the_singular():
    from server.skm_report import wording_note

    summary = {
        "wordings": [
            {"id": 1, "set_at": None, "changed": None, "responses": 1},
            {"id": 2, "set_at": "2026-11-28T03:00:00+00:00", "changed": ["U4"], "responses": 3},
        ]
    }
    english = wording_note(summary, "Asia/Jakarta", "en")
    assert "(U4): 1 answer under wording 1, 3 answers under wording 2." in english, english
    assert "(U4): 1 jawaban dengan teks 1, 3 jawaban dengan teks 2." in wording_note(summary, "Asia/Jakarta", "id")


def test_a_counter_under_max_calls_1_says_called_1_time(browser, live):
    """[queue] max_calls = 1: the called visitor's hint on the counter page (counter.js picks the singular)."""
    from playwright.sync_api import expect
    from staffpages import PASSWORD, issue, sign_in

    live.add_user("kepala", "admin")
    live.add_user("budi", "officer")
    boss = live.session("kepala", PASSWORD)
    assert boss.put(f"{live.url}/api/admin/settings/queue", json={"value": {"max_calls": 1}}, timeout=5).ok
    ticket = issue(live, "Rahmat", "B")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    context.add_init_script("localStorage.setItem('antrian.lang', 'en')")
    page = sign_in(context.new_page(), live, "/counter/", "budi")
    page.select_option("#counter-select", "2")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(ticket["label"])
    expect(page.locator("#hint")).to_have_text("Called 1 time: skip (S) or call next (N).")
    page.click("#lang-toggle")
    expect(page.locator("#hint")).to_have_text("Sudah 1 kali dipanggil: Lewati (S) atau Panggil berikutnya (N).")
    context.close()


def test_the_english_admin_page_quotes_no_indonesian_kiosk_text():
    """The admin's note of a closed service quoted the kiosk's Indonesian words (“Layanan tutup”) in English."""
    assert CATALOGUES["id"]["kiosk.closed_title"] not in CATALOGUES["en"]["admin.closed_now"]


def test_a_counter_under_a_one_minute_sop_says_past_the_sops_1_minute(browser, tmp_path):
    """[sla] service_minutes = 1: past it, the counter's timer says "past the SOP's 1 minute" in English
    (counter.js picks `timer.over.one`; helper-160), "melewati 1 menit SOP" in Indonesian."""
    from datetime import datetime, timedelta

    from conftest import write_config
    from live import LiveServer
    from playwright.sync_api import expect
    from staffpages import PASSWORD, issue, sign_in

    live = LiveServer(write_config(tmp_path, {"service_minutes = 30": "service_minutes = 1"})).start()
    try:
        live.add_user("budi", "officer")
        ticket = issue(live, "Rahmat", "A")
        officer = live.session("budi", PASSWORD)
        for action in ("call-next", "start"):
            officer.post(f"{live.url}/api/counters/1/{action}", json={}, timeout=5).raise_for_status()
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
        context.add_init_script("localStorage.setItem('antrian.lang', 'en')")
        page = context.new_page()
        page.clock.install(time=datetime.now())
        with page.expect_response(lambda r: r.url.endswith("/earlier")):  # the last answer: the clock stays moved
            page = sign_in(page, live, "/counter/", "budi")
        page.wait_for_function("() => antrianApi.inFlight() === 0", polling=20)  # its Date taken
        page.select_option("#counter-select", "1")
        expect(page.locator("#t-label")).to_have_text(ticket["label"])
        page.clock.set_system_time(datetime.now() + timedelta(minutes=2))
        expect(page.locator("#t-timer")).to_have_attribute("data-level", "over")
        expect(page.locator("#t-timer-text")).to_contain_text("of 1 min — past the SOP's 1 minute")
        expect(page.locator("#t-timer-text")).not_to_contain_text("minutes")
        page.click("#lang-toggle")
        expect(page.locator("#t-timer-text")).to_contain_text("dari 1 menit — melewati 1 menit SOP")
        context.close()
    finally:
        live.stop()
