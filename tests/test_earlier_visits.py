"""A returning visitor's earlier visits (GET /api/tickets/<ref>/earlier; the counter page's "Kunjungan
sebelumnya"): the same phone, or the same name at the same agency as server.forms.same_visitor folds them, the
newest five of the last 365 days, the ticket itself and those after it left out; with their outcomes."""

from __future__ import annotations

import re
from contextlib import closing
from datetime import timedelta

import pytest
import requests
from conftest import login, visitor
from shots import keep_shot
from sqlite_utils import Database
from staffpages import resize

from server import core
from server.archive import ANONYMISED
from server.forms import same_visitor
from server.migrations import migrations


def take(client, **changes) -> dict:
    """A number from the kiosk for `visitor(**changes)`: the server's ticket."""
    r = client.post("/api/tickets", json=visitor(**changes))
    assert r.status_code == 201, r.get_json()
    return r.json["ticket"]


def serve(client, headers, ticket: dict, how: str, text: str = "", counter: int = 1) -> dict:
    """Call `ticket` at `counter`, start serving it, then `how`: resolve (solution `text`), escalate (note `text`),
    skip it three times into a no-show ("no_show"), or leave it served ("serving")."""
    url = f"/api/counters/{counter}"
    r = client.post(f"{url}/call", json={"ticket": ticket["label"]}, headers=headers)
    assert r.status_code == 200, r.get_json()
    if how == "no_show":
        for _ in range(2):  # two skips: back in the line after the first, a no-show at the second
            for _ in range(2):
                assert client.post(f"{url}/recall", json={}, headers=headers).status_code == 200
            r = client.post(f"{url}/skip", json={}, headers=headers)
            assert r.status_code == 200, r.get_json()
            if r.json["ticket"]["status"] == "waiting":
                r = client.post(f"{url}/call", json={"ticket": ticket["label"]}, headers=headers)
                assert r.status_code == 200, r.get_json()
        assert r.json["ticket"]["status"] == "no_show", r.get_json()
        return r.json["ticket"]
    r = client.post(f"{url}/start", json={}, headers=headers)
    assert r.status_code == 200, r.get_json()
    if how == "resolve":
        r = client.post(f"{url}/resolve", json={"solution": text}, headers=headers)
    elif how == "escalate":
        r = client.post(f"{url}/escalate", json={"note": text}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.json["ticket"]


def earlier(client, ticket: dict) -> dict:
    r = client.get(f"/api/tickets/{ticket['token']}/earlier")
    assert r.status_code == 200, r.get_json()
    return r.json


PHONE = "081211112222"
BUDI = {"name": "Budi Santoso", "agency": "CV Maju Bersama", "phone": PHONE}


def test_the_same_phone_or_name_and_agency_newest_first_the_five_newest_without_the_ticket_itself(app, client, clock):
    """Six earlier visits of one visitor (by phone; by name and agency written otherwise, from another phone), one
    of another visitor of the same name at another agency: the newest five, earlier today's among them, `more`
    said; the ticket itself and a number the visitor took after it are not among them."""
    h = login(app, client, "budi")
    rina = app.test_client()
    fh = login(app, rina, "rina", "frontoffice")
    first = serve(
        client, h, take(client, **BUDI, problem="Tidak bisa unggah\nDetail: galat 500"), "resolve", "Kecilkan."
    )
    clock.advance(days=40)
    # the same name and agency, written otherwise, from another phone
    other_phone = take(client, name="  budi  SANTOSO ", agency="cv. maju, bersama", phone="081299998888")
    serve(client, h, other_phone, "no_show")
    namesake = take(client, name="Budi Santoso", agency="PT Lain Jaya", phone="085677776666")
    serve(client, h, namesake, "resolve", "Bukan pengunjung ini.")
    served = []
    for days in (30, 60, 90):
        clock.advance(days=days)
        ticket = take(client, **BUDI, problem=f"Kunjungan setelah {days} hari")
        served.insert(0, serve(client, h, ticket, "resolve", f"Solusi {days}"))
    clock.advance(days=1)
    cancelled = take(client, **BUDI, problem="Salah layanan")
    assert rina.post(f"/api/tickets/{cancelled['token']}/cancel", json={}, headers=fh).status_code == 200
    clock.advance(minutes=5)
    now = take(client, **BUDI, problem="Hari ini")
    clock.advance(minutes=5)
    later = take(client, **BUDI, problem="Nomor kedua, diambil sesudahnya")

    got = earlier(client, now)
    assert (got["limit"], got["days"], got["more"]) == (5, 365, True)
    expected = [cancelled, *served, other_phone]
    assert [(v["day"], v["label"]) for v in got["visits"]] == [(t["day"], t["label"]) for t in expected]
    assert [v["token"] for v in got["visits"]] == [t["token"] for t in expected]
    assert [v["status"] for v in got["visits"]] == ["cancelled", "resolved", "resolved", "resolved", "no_show"]
    assert got["visits"][0]["day"] == now["day"]  # earlier today
    assert [v["matched"] for v in got["visits"]] == [["phone", "name_agency"]] * 4 + [["name_agency"]]
    assert got["visits"][-1]["name"] == "budi SANTOSO" and got["visits"][-1]["agency"] == "cv. maju, bersama"
    newest = got["visits"][1]
    assert (newest["problem"], newest["solution"]) == ("Kunjungan setelah 90 hari", "Solusi 90")
    assert newest["service_name"] == "Konsultasi Penyedia" and newest["officer_name"] == "budi"
    # the later number sees the one before it (today's) first, and the first visit is the sixth: not shown
    assert [v["token"] for v in earlier(client, later)["visits"]][:2] == [now["token"], cancelled["token"]]
    assert first["token"] not in {v["token"] for v in got["visits"]}
    # the namesake at another agency, with another phone, is someone else
    assert earlier(client, namesake)["visits"] == []


def test_the_visits_of_the_last_365_days_and_none_before(app, client, clock):
    """The local days from 365 before today on: a visit 365 days ago is shown, one 366 days ago is not, with its
    problem whole (the page shows its first line)."""
    h = login(app, client, "budi")
    start = clock.now
    serve(client, h, take(client, **BUDI, problem="Setahun lebih yang lalu"), "resolve", "Reset sandi.")
    clock.advance(days=1)
    edge = serve(client, h, take(client, **BUDI, problem="Tidak bisa unggah\nDetail: galat 500"), "resolve", "Ok.")
    clock.now = start + timedelta(days=366)
    now = take(client, **BUDI)
    got = earlier(client, now)
    assert [v["token"] for v in got["visits"]] == [edge["token"]] and got["more"] is False
    assert got["visits"][0]["day"] == (start + timedelta(days=1)).date().isoformat()
    assert got["visits"][0]["problem"] == "Tidak bisa unggah\nDetail: galat 500"


def test_an_escalation_says_its_lkpp_ticket_and_lkpp_s_answer_once_closed(app, client, clock):
    h = login(app, client, "budi")
    escalated = serve(client, h, take(client, **BUDI, problem="Paket tidak muncul"), "escalate", "Data paket hilang.")
    r = client.post(f"/api/tickets/{escalated['token']}/lkpp-ticket", json={"lkpp_ticket": "TTS-2026-0042"}, headers=h)
    assert r.status_code == 200, r.get_json()
    clock.advance(days=3)
    now = take(client, **BUDI, problem="Menanyakan jawaban LKPP")
    (visit,) = earlier(client, now)["visits"]
    assert (visit["status"], visit["lkpp_ticket"], visit["lkpp_answer"]) == ("escalated", "TTS-2026-0042", "")
    assert visit["escalation_note"] == "Data paket hilang." and visit["solution"] == ""
    r = client.post(
        f"/api/tickets/{escalated['token']}/close",
        json={"answer": "Paket dipulihkan oleh LKPP.\nSilakan cek ulang."},
        headers=h,
    )
    assert r.status_code == 200, r.get_json()
    (visit,) = earlier(client, now)["visits"]
    assert (visit["status"], visit["lkpp_ticket"]) == ("closed", "TTS-2026-0042")
    assert visit["lkpp_answer"] == "Paket dipulihkan oleh LKPP.\nSilakan cek ulang."
    assert visit["escalation_note"] == "Data paket hilang."


def test_a_corrected_name_is_looked_up_as_corrected_and_an_anonymised_form_is_nobodys(app, client, clock):
    """The front office's correction of a name writes its folded key again; retention's anonymising forgets it
    (and the phone is the placeholder): those visits are nobody's any more, an anonymised ticket's included."""
    h = login(app, client, "budi")
    rina = app.test_client()
    fh = login(app, rina, "rina", "frontoffice")
    typo = take(client, name="Budi Santso", agency="CV Maju Bersama", phone="081233334444")
    now = take(client, name="Budi Santoso", agency="CV Maju Bersama", phone="081255556666")
    assert earlier(client, now)["visits"] == []
    form = {k: visitor()[k] for k in ("address", "problem")} | {"agency": "CV Maju Bersama", "phone": "081233334444"}
    r = rina.post(f"/api/tickets/{typo['token']}/form", json={**form, "name": "Budi Santoso"}, headers=fh)
    assert r.status_code == 200, r.get_json()
    assert [(v["token"], v["matched"]) for v in earlier(client, now)["visits"]] == [(typo["token"], ["name_agency"])]
    serve(client, h, typo, "resolve", "Sudah dibantu.")
    serve(client, h, now, "resolve", "Sudah dibantu juga.")
    clock.advance(days=1)
    with app.extensions["antrian"].store.write() as tx:
        assert tx.anonymise_forms_before(clock.now.date().isoformat(), ANONYMISED) == 2
        assert tx.anonymise_forms_before(clock.now.date().isoformat(), ANONYMISED) == 0
        keys = tx.rows(
            "SELECT f.visitor_key FROM forms f JOIN tickets t ON t.id = f.ticket_id WHERE t.token IN (?, ?)",
            [typo["token"], now["token"]],
        )
    assert [k["visitor_key"] for k in keys] == [None, None]
    again = take(client, name="Budi Santoso", agency="CV Maju Bersama", phone="081233334444")
    assert earlier(client, again)["visits"] == []
    # nor does an anonymised ticket find the other anonymised forms by the placeholder
    assert earlier(client, now)["visits"] == []


def test_the_folded_key_is_same_visitors_rule():
    """core.visitor_key, which the store keeps and looks up, agrees with server.forms.same_visitor's name and
    agency rule on the ways a name is written."""
    pairs = [
        (("Budi Santoso", "CV Maju Bersama"), ("budi  santoso", "CV. Maju, Bersama")),
        (("Dédé Rahmat, S.Kom.", "Dinas PUPR"), ("DÉDÉ RAHMAT S KOM", "dinas pupr")),
        (("Straße", "PT A"), ("STRASSE", "pt a")),
        (("Budi Santoso", "CV Maju Bersama"), ("Budi Santoso", "PT Lain Jaya")),
        (("Budi", ""), ("Budi", "")),
        (("Budi", "."), ("Budi", ",")),
    ]
    for (n1, a1), (n2, a2) in pairs:
        rule = same_visitor({"name": n1, "agency": a1}, {"name": n2, "agency": a2}) == "name_agency"
        k1, k2 = core.visitor_key(n1, a1), core.visitor_key(n2, a2)
        assert (k1 is not None and k1 == k2) == rule, (n1, a1, n2, a2)


def test_m028_keeps_the_folded_name_and_agency_of_the_forms_before_it(tmp_path):
    """A database of the release before: its forms get their key (an anonymised one none), and the two
    indexes the lookup reads."""
    with closing(Database(tmp_path / "old.db")) as db:
        migrations.apply(db, stop_before="m028_earlier_visits")
        for i, (name, agency) in enumerate((("Budi Santoso", "CV. Maju"), (ANONYMISED, "CV Maju"), ("Ani", ""))):
            db.execute(
                "INSERT INTO tickets (id, day, service, number, label, token, status, created_at, position)"
                " VALUES (?, '2026-01-05', 'A', ?, ?, ?, 'resolved', '2026-01-05T02:00:00+00:00', ?)",
                [i + 1, i + 1, f"A-{i + 1:03d}", f"tok{i}", i + 1],
            )
            db.execute(
                "INSERT INTO forms (ticket_id, name, agency, address, phone, problem) VALUES (?, ?, ?, 'x', '0812', 'y')",
                [i + 1, name, agency],
            )
        migrations.apply(db)
        keys = [r[0] for r in db.execute("SELECT visitor_key FROM forms ORDER BY ticket_id")]
        assert keys == ["budi santoso\ncv maju", None, None]
        indexes = {
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'forms'")
        }
        assert {"idx_forms_phone", "idx_forms_visitor_key"} <= indexes


def test_the_lookup_reads_the_forms_indexes_not_every_form(app, client):
    """The store's statement, as it ran, reads the forms by their phone and visitor_key indexes (m028) and each
    ticket by its id (a year of 50,000 visitors: see m028)."""
    now = take(client, **BUDI)
    seen: list[str] = []
    with app.extensions["antrian"].store.read() as tx:
        tx.db.conn.set_trace_callback(seen.append)
        try:
            ticket = tx.ticket_by_token(now["token"])
            tx.earlier_visits(ticket.id, PHONE, core.visitor_key(BUDI["name"], BUDI["agency"]), "2026-01-01", 6)
        finally:
            tx.db.conn.set_trace_callback(None)
        (sql,) = [s for s in seen if "visitor_key" in s]
        plan = " / ".join(r[3] for r in tx.db.execute(f"EXPLAIN QUERY PLAN {sql}"))
    # each index walked from the ticket backwards (the newest few), covering: no form or ticket read to find them
    assert "SEARCH forms USING COVERING INDEX idx_forms_phone (phone=? AND rowid<?)" in plan, plan
    assert "SEARCH forms USING COVERING INDEX idx_forms_visitor_key (visitor_key=? AND rowid<?)" in plan, plan
    assert "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert not re.search(r"SCAN (forms|f|t|tickets)\b", plan), plan


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("officer", 200), ("frontoffice", 200), ("admin", 200)])
def test_only_staff_read_a_visitors_earlier_visits(app, client, role, status):
    ticket = take(client, **BUDI)
    if role:
        login(app, client, f"user_{role}", role)
    r = client.get(f"/api/tickets/{ticket['token']}/earlier")
    assert r.status_code == status, r.get_json()
    if status == 200:
        assert r.json == {"visits": [], "more": False, "limit": 5, "days": 365}
        assert client.get("/api/tickets/Z-999/earlier").status_code == 404
    else:
        assert set(r.json) <= {"error", "message", "fields"}


# ---- the counter page: the list of a returning visitor on a laptop's screen ------------------------------------
PASSWORD = "rahasia-123"
ACTIONS = ["btn-call-next", "btn-recall", "btn-skip", "btn-start", "btn-pause", "btn-print-form"]
SERVING_CONTROLS = ["solution", "btn-resolve", "note", "btn-escalate", "category", "transfer-service", "btn-transfer"]
ROOM_UNDER_BUTTONS = 24  # as tests/test_counter_page.py keeps it under Selesai, Eskalasi and Alihkan
# Where each control is, whether it is the element a click at its middle reaches (nothing over it), the list's
# box, and whether the page scrolls.
ON_SCREEN = """(ids) => {
    const box = (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left,
        right: r.right }; };
    const reached = (e) => { const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return Boolean(hit && (hit === e || e.contains(hit))); };
    const panel = document.getElementById('visits');
    return {
        controls: Object.fromEntries(ids.map((id) => { const e = document.getElementById(id);
            return [id, { ...box(e), reached: reached(e) }]; })),
        panel: panel.hidden ? null : { ...box(panel), scrolls: panel.scrollHeight > panel.clientHeight },
        height: innerHeight, width: innerWidth,
        scrolls: document.documentElement.scrollHeight > innerHeight,
    };
}"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A server of this module's own on a clock moved a day on (tests/clockserver.py), with an officer and the
    front office."""
    from conftest import write_config
    from live import ClockedServer

    server = ClockedServer(write_config(tmp_path_factory.mktemp("live")), dated=True).start()
    server.add_user("budi", "officer")
    server.add_user("sari", "officer")
    yield server
    server.stop()


def controls_on_screen(page, where: str, ids: list[str], covered: tuple[str, ...] = ()) -> dict:
    """Every one of `ids` whole on the screen, and reached by a click but those `covered` (under the list); the
    page does not scroll."""
    page.evaluate("document.fonts.ready")
    m = page.evaluate(ON_SCREEN, ids)
    for control, r in m["controls"].items():
        inside = 0 <= r["top"] and r["bottom"] <= m["height"] and 0 <= r["left"] and r["right"] <= m["width"]
        assert inside, f"{where}: {control} off the screen: {r}"
        assert r["reached"] or control in covered, f"{where}: {control} under something: {r}"
    assert not m["scrolls"], f"{where}: the page scrolls"
    return m


def test_a_returning_visitor_s_earlier_visits_on_the_counter_page_leave_every_button_on_a_laptop_screen(
    browser, office
):
    """Yesterday the visitor was served once (resolved) and escalated once (LKPP answered since), and did not come
    when called a third time; today they come back with the longest name, agency, address and problem, sent on
    from another service with the longest note. Called at 1024x768 and 1366x768: "Kunjungan sebelumnya: 3" at the
    right of the problem's label, the list open over the outcome (off while called) with each visit's day, number,
    service, outcome in words, problem and answer, and every button on the screen, reached; once served the list
    is closed, and opened again it covers the kind, the class and the transfer only: the answer, Selesai and
    Eskalasi stay reached, with room under them. Nothing moves for it: the page does not scroll."""
    from kioskui import LONGEST
    from playwright.sync_api import expect
    from staffpages import sign_in

    budi = office.session("budi", PASSWORD)
    sari = office.session("sari", PASSWORD)
    phone = "081377778888"
    base = {
        "service": "A",
        "name": "Sri Wahyuni",
        "agency": "CV Karya Mandiri",
        "address": "Jl. Melati 5",
        "phone": phone,
    }

    def kiosk(**form) -> dict:
        r = requests.post(office.url + "/api/tickets", json={**base, **form}, timeout=5)
        assert r.status_code == 201, r.text
        return r.json()["ticket"]

    def at_counter(session, counter: int, action: str, **payload) -> dict:
        r = session.post(f"{office.url}/api/counters/{counter}/{action}", json=payload, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()["ticket"]

    first = kiosk(problem="Lupa kata sandi akun penyedia")
    at_counter(budi, 1, "call", ticket=first["label"])
    at_counter(budi, 1, "start")
    at_counter(budi, 1, "resolve", solution="Kata sandi direset lewat menu Lupa Password; surel pemulihan terkirim.")
    second_problem = "Paket tender tidak muncul di daftar\nSudah dicoba di dua peramban."
    second = kiosk(problem=second_problem)
    at_counter(budi, 1, "call", ticket=second["label"])
    at_counter(budi, 1, "start")
    at_counter(budi, 1, "escalate", note="Paket ada di basis data tetapi tidak tampil; perlu dicek LKPP.")
    r = budi.post(f"{office.url}/api/tickets/{second['token']}/lkpp-ticket", json={"lkpp_ticket": "TTS-77120"})
    assert r.status_code == 200, r.text
    answer = "Indeks pencarian paket dibangun ulang oleh LKPP. " * 6 + "Paket sudah tampil kembali."
    r = budi.post(f"{office.url}/api/tickets/{second['token']}/close", json={"answer": answer}, timeout=5)
    assert r.status_code == 200, r.text
    third = kiosk(problem="Menanyakan jadwal pelatihan")
    at_counter(budi, 1, "call", ticket=third["label"])
    for _ in range(2):
        for action in ("recall", "recall", "skip"):
            ticket = at_counter(budi, 1, action)
        if ticket["status"] == "waiting":
            at_counter(budi, 1, "call", ticket=third["label"])
    assert ticket["status"] == "no_show"
    office.next_day()
    # today: the longest form, from the same phone (a colleague's name at another agency would not do: the phone),
    # sent on from B with the longest note
    today = kiosk(service="B", **{k: LONGEST[k] for k in ("name", "agency", "address", "problem")})
    at_counter(sari, 2, "call", ticket=today["label"])
    at_counter(sari, 2, "start")
    note = ("Sudah dicek di sisi PPK; masalahnya di akun penyedia, mohon verifikasi ulang berkasnya. " * 50)[:4000]
    at_counter(sari, 2, "transfer", service="A", note=note)

    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="id-ID")
    page = sign_in(context.new_page(), office, "/counter/", "budi")
    asked = []  # the page's lookups: once for the ticket, not per live event (its call, its start, a redraw)
    page.on("request", lambda request: asked.append(request.url) if "/earlier" in request.url else None)
    page.select_option("#counter-select", "1")
    page.locator(f"#line li[data-label='{today['label']}'] button.call").click()
    expect(page.locator("#t-label")).to_have_text(today["label"])
    toggle = page.locator("#visits-toggle")
    expect(toggle).to_have_text("Kunjungan sebelumnya: 3")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    items = page.locator("#visits-list > li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_have_attribute("data-label", third["label"])
    expect(items.nth(0).locator(".result")).to_have_text("Tidak hadir saat dipanggil")
    expect(items.nth(1).locator(".result")).to_have_text("Dieskalasi, sudah dijawab LKPP (tiket TTS-77120)")
    expect(items.nth(1)).to_contain_text("Masalah: Paket tender tidak muncul di daftar")
    expect(items.nth(1)).not_to_contain_text("Sudah dicoba")  # the problem's first line
    expect(items.nth(1)).to_contain_text("Analisis: Paket ada di basis data")
    expect(items.nth(1)).to_contain_text("Jawaban LKPP: Indeks pencarian paket")
    expect(items.nth(1).locator(".visit-text.first")).to_have_attribute("title", second_problem)  # whole in its tooltip
    expect(items.nth(2).locator(".result")).to_have_text("Selesai")
    expect(items.nth(2)).to_contain_text("Solusi: Kata sandi direset")
    expect(items.nth(2).locator(".visit-head")).to_contain_text("Konsultasi Penyedia")
    expect(items.nth(2).locator(".visit-result")).to_contain_text("oleh budi")
    # found by the phone alone (today's form has another name): the name that visit was taken under
    expect(items.nth(2).locator(".visit-result")).to_contain_text("atas nama Sri Wahyuni (CV Karya Mandiri)")

    for width in (1024, 1366):
        resize(page, {"width": width, "height": 768})
        m = controls_on_screen(page, f"{width}x768, called", ACTIONS, covered=())
        assert m["panel"] is not None and m["panel"]["bottom"] <= 768, m["panel"]
        keep_shot(page, f"earlier-called-{width}x768.png")

    resize(page, {"width": 1024, "height": 768})
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    expect(page.locator("#visits")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    for width in (1024, 1366):
        resize(page, {"width": width, "height": 768})
        controls_on_screen(page, f"{width}x768, serving", ACTIONS + SERVING_CONTROLS)
        room = page.evaluate(
            """() => innerHeight - Math.max(...['btn-resolve', 'btn-escalate', 'btn-transfer']
                .map((id) => document.getElementById(id).getBoundingClientRect().bottom))"""
        )
        assert room >= ROOM_UNDER_BUTTONS, f"{width}x768: {room:.0f} px under Selesai, Eskalasi, Alihkan"
        toggle.click()
        expect(page.locator("#visits")).to_be_visible()
        side = ("category", "transfer-service", "btn-transfer")
        m = controls_on_screen(page, f"{width}x768, serving, list open", ACTIONS + SERVING_CONTROLS, covered=side)
        assert not any(m["controls"][c]["reached"] for c in side), m["controls"]  # under the list, not beside it
        keep_shot(page, f"earlier-serving-{width}x768.png")
        page.keyboard.press("Escape")
        expect(page.locator("#visits")).to_be_hidden()

    # the escalation's answer whole, on asking; in English
    resize(page, {"width": 1024, "height": 768})
    toggle.click()
    items.nth(1).locator("button.whole-toggle").click()
    expect(items.nth(1)).to_contain_text("Sudah dicoba di dua peramban.")
    expect(items.nth(1)).to_contain_text("Paket sudah tampil kembali.")
    page.click("#lang-toggle")
    expect(toggle).to_have_text("Earlier visits: 3")
    expect(items.nth(1).locator(".result")).to_have_text("Escalated, answered by LKPP (ticket TTS-77120)")
    expect(items.nth(0).locator(".result")).to_have_text("Did not come when called")
    keep_shot(page, "earlier-serving-en-1024x768.png")
    page.click("#lang-toggle")
    page.fill("#solution", "Jadwal pelatihan dikirim lewat surel.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{today['label']} selesai.")
    expect(toggle).to_be_hidden()
    expect(page.locator("#visits")).to_be_hidden()
    assert asked == [f"{office.url}/api/tickets/{today['token']}/earlier"], asked
    context.close()
