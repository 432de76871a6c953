"""The head of office's figures over days of a live server on tests/clockserver.py's clock: what the dashboard,
its files and the printed recap tell the one who hands the monthly report up."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer

PASSWORD = "rahasia-123"
TZ = ZoneInfo("Asia/Jakarta")  # the office of tests/conftest.py's config


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("month")
    s = ClockedServer(write_config(tmp), tick=0.1).start()
    s.first_day = str(datetime.now(TZ).date())
    s.add_user("petugas", "officer", PASSWORD)
    s.add_user("rina", "frontoffice", PASSWORD)
    yield s
    s.stop()


def wait_status(s, token: str, status: str, timeout: float = 10.0) -> dict:
    return s.ticket_when(token, status, timeout)


def printed(browser, server, path: str, tmp_path) -> list[str]:
    """The page at `path` (logged in as the officer) printed to PDF as the browser's Print does (A4 landscape,
    @page), and each sheet's text as pdftotext lays it out."""
    context = browser.new_context(viewport={"width": 1123, "height": 794}, locale="id-ID")
    try:
        r = context.request.post(f"{server.url}/api/login", data={"username": "petugas", "password": PASSWORD})
        assert r.ok, r.text()
        page = context.new_page()
        page.goto(server.url + path)
        page.emulate_media(media="print")
        pdf = tmp_path / "printed.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [sheet for sheet in text.stdout.split("\f") if sheet.strip()]


def test_visitors_never_called_are_not_read_as_waits_within_the_standard(server):
    """One visitor served after two minutes, one cancelled after half an hour of waiting, one still waiting when
    the day ended: the waiting time measured one wait, within 5 minutes, and "100%" alone would tell the head
    of office that every visitor was called within 5 minutes. The dashboard's row, its note and both files
    say that two of the three were never called."""
    officer = server.session("petugas", PASSWORD)
    front = server.session("rina", PASSWORD)
    kiosk = requests.Session()
    tokens = []
    for i in range(3):
        r = kiosk.post(f"{server.url}/api/tickets", json=visitor(name=f"Tamu {i}", form_seconds=60), timeout=10)
        assert r.status_code == 201, r.text
        tokens.append(r.json()["ticket"]["token"])

    def act(action: str, **data):
        r = officer.post(f"{server.url}/api/counters/1/{action}", json=data, timeout=10)
        assert r.status_code == 200, r.text

    server.advance(120)
    act("call", ticket=tokens[0])
    act("start")
    server.advance(15 * 60)
    act("resolve", solution="Kata sandi direset.")
    act("release")
    server.advance(30 * 60)
    r = front.post(f"{server.url}/api/tickets/{tokens[1]}/cancel", json={}, timeout=10)
    assert r.status_code == 200, r.text
    server.next_day()  # the third visitor waited until the day ended, never called
    assert wait_status(server, tokens[2], "expired")["status"] == "expired"

    day = server.first_day
    params = {"from": day, "to": day, "group": "day"}
    data = officer.get(f"{server.url}/api/figures", params=params, timeout=10).json()
    total = data["total"]
    assert (total["tickets"], total["served"], total["cancelled"], total["expired"]) == (3, 1, 1, 1)
    waiting = total["waiting"]
    assert (waiting["n"], waiting["within"], waiting["share"]) == (1, 1, 1.0)
    assert waiting["unmeasured"] == 2  # the two never called: not measured, and said so
    assert data["groups"][0]["waiting"]["unmeasured"] == 2

    html = officer.get(f"{server.url}/counter/dashboard", params=params, timeout=10).text
    row = html.split('<tr id="row-waiting">')[1].split("</tr>")[0]
    assert 'href="#waiting-why">(2 tidak diukur*)</a>' in row
    why = html.split('id="waiting-why">')[1].split("</p>")[0]
    assert "Pengunjung yang tidak pernah dipanggil tidak diukur" in why
    assert "2 dari 3 tiket tidak pernah dipanggil: dibatalkan sebelum dipanggil, masih menunggu saat hari itu" in why

    text = officer.get(f"{server.url}/api/figures", params={**params, "format": "csv"}, timeout=10).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    total_wait = next(r for r in rows if r[0] == "Total" and r[2] == "Waktu tunggu")
    assert total_wait[header.index("Diukur")] == "1"
    assert total_wait[header.index("Tidak diukur")] == "2"
    assert total_wait[header.index("% dalam standar")] == "100.0"


def test_a_row_taller_than_a_sheet_starts_under_the_rows_before_it(browser, server, tmp_path):
    """A solution of a few thousand characters (the form allows 4,000, and an escalation
    adds its note and LKPP's answer) makes a row taller than an A4
    sheet. Rows are never split between sheets, but that one must be: Chromium moved it to a sheet of its own
    first, and the sheet before it held the title and one short row, the rest blank, as if the recap ended
    there. It now starts under the row before it, on the first sheet, and goes on over the next."""
    server.next_day()  # a day of its own: the recap below holds these two rows only
    officer = server.session("petugas", PASSWORD)
    kiosk = requests.Session()
    steps = " ".join(f"Langkah {i}: buka menu Paket, pilih tender, unggah ulang dokumen penawaran." for i in range(48))
    labels = []
    for name, solution in (("Tamu Pendek", "Kata sandi direset."), ("Tamu Panjang", steps)):
        r = kiosk.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=10)
        assert r.status_code == 201, r.text
        ticket = r.json()["ticket"]
        labels.append(ticket["label"])
        for action, data in (("call", {"ticket": ticket["token"]}), ("start", {}), ("resolve", {"solution": solution})):
            r = officer.post(f"{server.url}/api/counters/1/{action}", json=data, timeout=10)
            assert r.status_code == 200, r.text
    day = ticket["day"]

    sheets = [
        " ".join(sheet.split()) for sheet in printed(browser, server, f"/counter/recap?from={day}&to={day}", tmp_path)
    ]
    assert len(sheets) >= 3, len(sheets)  # the long solution takes more than a sheet
    first = sheets[0]
    assert labels[0] in first and "Tamu Pendek" in first
    assert labels[1] in first and "Tamu Panjang" in first and "Langkah 0:" in first, first[-300:]
    assert "Langkah 47:" not in first and "Langkah 47:" in " ".join(sheets[1:])


def test_the_guest_book_prints_the_service_name_whole(browser, server, tmp_path):
    """The guest book's Layanan column is narrow: "Konsultasi Non-Penyedia (PPK/Pokja/PP)" printed its closing
    bracket alone on a fourth line. In the narrow face of the names it takes three, its bracket whole."""
    server.next_day()
    r = requests.post(f"{server.url}/api/tickets", json=visitor(service="B", name="Tamu PPK"), timeout=10)
    assert r.status_code == 201, r.text
    day = r.json()["ticket"]["day"]
    (sheet,) = printed(browser, server, f"/counter/guestbook?from={day}&to={day}", tmp_path)
    assert "Tamu PPK" in sheet
    assert "(PPK/Pokja/PP)" in sheet, sheet
    assert not [line for line in sheet.splitlines() if line.strip() == ")"], sheet


def test_a_share_is_rounded_down_from_the_counts_not_from_the_rounded_share(server):
    """The dashboard says its percentages are rounded down, "never more than what was reached". It floored the
    figures' share, already rounded to four decimals: 8 of 21 forms within 5 minutes (38.095 %, share 0.381)
    read "38,1%" in the table, per group and over the bar. It is 38 %."""
    server.next_day()
    kiosk = requests.Session()
    for i in range(21):
        form = visitor(name=f"Tamu {i}", form_seconds=120 if i < 8 else 400)
        r = kiosk.post(f"{server.url}/api/tickets", json=form, timeout=10)
        assert r.status_code == 201, r.text
    day = r.json()["ticket"]["day"]
    officer = server.session("petugas", PASSWORD)
    params = {"from": day, "to": day, "group": "day"}
    form = officer.get(f"{server.url}/api/figures", params=params, timeout=10).json()["total"]["form"]
    assert (form["n"], form["within"], form["share"]) == (21, 8, 0.381)

    html = officer.get(f"{server.url}/counter/dashboard", params=params, timeout=10).text
    row = html.split('<tr id="row-form">')[1].split("</tr>")[0]
    assert "<td>38%</td>" in row, row
    assert "38% (8/21)" in html  # the group's row
    chart = html.split("<svg", 1)[1].split("</svg>")[0]  # the first chart: the form time's
    assert ">38%</text>" in chart and ": 38% dari 21</title>" in chart, chart
    assert "38,1%" not in html


def test_a_bar_is_coloured_from_the_counts_not_from_the_rounded_share():
    """A group's bar is orange under 80 % within the standard and red under half. It was coloured from the share
    rounded to four decimals: 79,999 of 100,000 forms in time (share 0.8) drew a bar without colour, as 80 %."""
    from counter import _dashboard_charts
    from server.figures import STANDARD_MEASURES

    counts = [(79_999, 100_000), (80, 100), (49_999, 100_000), (1, 2), (0, 0)]
    groups = [
        {
            "label": f"Hari {i}",
            **{m: {"n": n, "within": w, "share": round(w / n, 4) if n else None} for m in STANDARD_MEASURES},
        }
        for i, (w, n) in enumerate(counts)
    ]
    charts = _dashboard_charts({"groups": groups, "arrivals": []})
    for m in STANDARD_MEASURES:
        assert [b["level"] for b in charts["shares"][m]["bars"]] == ["mid", "", "low", "mid", ""]


def test_the_recap_is_filtered_by_an_officers_full_name_as_its_petugas_column_prints_it(server):
    """The head of office filters the month's recap by the officer as its Petugas column prints them: the account's
    full name, titles and all (up to 100 characters, as the admin page takes it). A name over 64 characters
    (the usernames' limit) was refused, 422 "Terlalu panjang: paling banyak 64 karakter", and the page showed an
    empty table: that officer's rows could only be had by a username the recap nowhere prints."""
    full_name = "Dr. Ir. Eko Prasetyo Wibisono Hadikusumo Mangkunegoro Suryadiningrat, S.Kom., M.T., M.Kom., CISA"
    server.add_user("eko", "officer", PASSWORD)
    admin = server.session("admin", server.first_password)
    r = admin.post(f"{server.url}/api/admin/users/eko/profile", json={"full_name": full_name}, timeout=10)
    assert r.status_code == 200, r.text
    server.next_day()  # a day of its own
    officer = server.session("eko", PASSWORD)
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Tamu Eko"), timeout=10)
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    for action, data in (
        ("call", {"ticket": ticket["token"]}),
        ("start", {}),
        ("resolve", {"solution": "Dijelaskan."}),
    ):
        r = officer.post(f"{server.url}/api/counters/2/{action}", json=data, timeout=10)
        assert r.status_code == 200, r.text
    day = ticket["day"]

    params = {"from": day, "to": day}
    rows = officer.get(f"{server.url}/api/recap", params=params, timeout=10).json()["rows"]
    printed = [row["Petugas"] for row in rows if row["No. Antrian"] == ticket["label"]]
    assert printed == [full_name]
    for name in (full_name, full_name.upper()):
        r = officer.get(f"{server.url}/api/recap", params={**params, "officer": name}, timeout=10)
        assert r.status_code == 200, r.text
        assert [row["No. Antrian"] for row in r.json()["rows"]] == [ticket["label"]]
    page = officer.get(f"{server.url}/counter/recap", params={**params, "officer": full_name}, timeout=10)
    assert page.status_code == 200, page.text
    assert "Tamu Eko" in page.text and 'id="problems"' not in page.text
    # past what an account's full name may be, it is still said, with the limit
    r = officer.get(f"{server.url}/api/recap", params={**params, "officer": "x" * 101}, timeout=10)
    assert r.status_code == 422 and "100" in r.json()["fields"]["officer"], r.text


def test_the_dashboard_left_open_all_day_loads_todays_figures_again_every_minute(browser, server):
    """The head of office keeps the dashboard open on a laptop all day. The server drew it once: opened at 09.00 on
    an empty day, it read "Tidak ada tiket pada periode ini." at 16.00 under the bar's running clock, nothing saying
    the figures were the morning's. It now says when its figures were made and, while its period holds today, loads
    them again every minute (not while a filter is being changed); after midnight a page without dates takes the
    new day's range, and today's, now over, stops."""
    from playwright.sync_api import expect

    server.next_day()  # a day of its own, empty
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        r = context.request.post(f"{server.url}/api/login", data={"username": "petugas", "password": PASSWORD})
        assert r.ok, r.text()
        page = context.new_page()
        page.clock.install()
        page.goto(f"{server.url}/counter/dashboard")  # no dates: the last 30 days to today
        day = page.locator("input[name=to]").input_value()
        page.goto(f"{server.url}/counter/dashboard?from={day}&to={day}")
        expect(page.locator("#empty")).to_be_visible()

        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Tamu Pagi"), timeout=10)
        assert r.status_code == 201, r.text
        page.clock.run_for(61_000)
        expect(page.locator("#empty")).to_have_count(0)  # loaded again by itself: the visitor counted
        made_at = page.locator("#figures-at")  # and when these figures were made
        expect(made_at).to_contain_text("Angka per ")
        expect(made_at).to_contain_text("Periode ini mencakup hari ini")
        expect(page.locator("#row-waiting")).to_contain_text("0 (1 tidak diukur*)")  # the visitor still waiting

        # a filter being changed holds the reload: the choice is not thrown away
        requests_seen = []
        page.on("request", lambda req: requests_seen.append(req.url))
        page.select_option("select[name=group]", "officer")
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Tamu Siang"), timeout=10)
        assert r.status_code == 201, r.text
        page.clock.run_for(61_000)
        page.evaluate("() => fetch('/healthz?mark=1')")  # any request the minute made is seen before this one
        assert [u for u in requests_seen if "/healthz" in u] == [f"{server.url}/healthz?mark=1"], requests_seen
        expect(page.locator("select[name=group]")).to_have_value("officer")
        page.select_option("select[name=group]", "day")
        page.locator("h1").click()  # the select no longer focused, as drawn again
        page.clock.run_for(61_000)
        expect(page.locator("body")).to_contain_text("Tiket: 2")

        # midnight: today's period is over and stops loading; a page without dates takes the new day's range
        server.next_day()
        page.reload()
        expect(made_at).to_contain_text("Angka per ")
        expect(made_at).not_to_contain_text("Periode ini mencakup hari ini")
        assert page.locator("#figures-at[data-reload-seconds]").count() == 0
        page.goto(f"{server.url}/counter/dashboard")
        expect(page.locator("#figures-at[data-reload-seconds]")).to_have_count(1)
        before = page.locator("input[name=to]").input_value()
        server.next_day()
        page.clock.run_for(61_000)
        expect(page.locator("input[name=to]")).not_to_have_value(before)
    finally:
        context.close()


def test_the_printed_dashboard_numbers_its_sheets_as_the_printed_recap(browser, server, tmp_path):
    """The head prints the month's dashboard (its table, notes and six charts: several A4 sheets) to hand up with
    the recap and the SKM report: each sheet says "Halaman 2 dari 4" at its foot, right, as the printed recap's
    (print.js, the catalogue's words); before, the dashboard's and the SKM report's sheets had no number, and a
    dropped pile could not be put back in order."""
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Tamu Cetak"), timeout=10)
    assert r.status_code == 201, r.text  # a period with figures: charts, not "Tidak ada tiket"
    day = r.json()["ticket"]["day"]
    sheets = printed(browser, server, f"/counter/dashboard?from={day}&to={day}&group=day", tmp_path)
    assert len(sheets) > 1
    for n, sheet in enumerate(sheets, start=1):
        assert sheet.strip().splitlines()[-1].strip() == f"Halaman {n} dari {len(sheets)}", sheet[-300:]


def test_the_printed_dashboards_links_print_as_the_text_around_them(browser, server):
    """Paper has nothing to click: printed, the dashboard's links (a measure's "(1 tidak diukur*)", which leads to
    its note, and "Laporan SKM →") read as the text around them, black and not underlined, as the other printed
    papers' text. Before, they printed brown or blue and underlined, the only coloured words of the table."""
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Tamu Tautan"), timeout=10)
    assert r.status_code == 201, r.text  # no form time (not the kiosk's): the form's "tidak diukur" link
    day = r.json()["ticket"]["day"]
    context = browser.new_context(viewport={"width": 1123, "height": 794}, locale="id-ID")
    try:
        r = context.request.post(f"{server.url}/api/login", data={"username": "petugas", "password": PASSWORD})
        assert r.ok, r.text()
        page = context.new_page()
        page.goto(f"{server.url}/counter/dashboard?from={day}&to={day}&group=day")
        page.emulate_media(media="print")
        links = page.evaluate(
            """() => [...document.querySelectorAll("a")].filter((a) => a.getClientRects().length).map((a) => ({
                 text: a.textContent.trim(), color: getComputedStyle(a).color, line: getComputedStyle(a).textDecorationLine,
                 around: getComputedStyle(a.parentElement).color }))"""
        )
    finally:
        context.close()
    assert any("tidak diukur" in link["text"] for link in links), links
    for link in links:
        assert (link["color"], link["line"]) == (link["around"], "none"), link
