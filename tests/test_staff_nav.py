"""The staff navigation bar (by role, this page marked), the way back after a login, the office's timezone."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from conftest import login, visitor

from counter import safe_next

PAGES = {
    "/counter/": "Loket",
    "/counter/front": "Front office",
    "/counter/escalations": "Eskalasi",
    "/counter/complaints": "Pengaduan",
    "/counter/recap": "Rekap",
    "/counter/guestbook": "Buku tamu",
    "/counter/dashboard": "Dasbor",
    "/counter/skm": "SKM",
    "/counter/admin": "Admin",
}
SEEN = {
    "officer": ["Loket", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM"],
    "frontoffice": ["Front office", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM"],
    "admin": ["Loket", "Front office", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM", "Admin"],
}


def nav_links(html: str) -> list[tuple[str, str, bool, bool]]:
    """(href, text, hidden, current) of each link in the page's staff navigation bar."""
    nav = re.search(r'<nav class="staff-nav[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no staff navigation bar"
    links = []
    for attrs, text in re.findall(r"<a ([^>]*data-roles[^>]*)>([^<]*)</a>", nav.group(1)):  # not the language
        href = re.search(r'href="([^"]*)"', attrs).group(1)
        links.append((href, text, " hidden" in attrs, 'aria-current="page"' in attrs))
    return links


@pytest.mark.parametrize("role", sorted(SEEN))
def test_every_staff_page_has_the_navigation_bar_of_its_role_with_itself_marked(app, client, role):
    login(app, client, "staff", role)
    for path, name in PAGES.items():
        html = client.get(path).get_data(as_text=True)
        links = nav_links(html)
        assert [text for _, text, hidden, _ in links if not hidden] == SEEN[role], path
        assert [text for _, text, _, current in links if current] == [name], path
        assert dict((t, h) for h, t, _, _ in links) == {t: p for p, t in PAGES.items()}


def test_before_a_login_the_bar_lists_every_page_for_the_script_to_sort_by_role(client):
    links = nav_links(client.get("/counter/front").get_data(as_text=True))
    assert [t for _, t, hidden, _ in links if not hidden] == list(PAGES.values())
    html = client.get("/counter/").get_data(as_text=True)
    assert 'data-roles="officer admin"' in html and 'data-roles="admin"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/counter/recap",
        "/counter/dashboard",
        "/counter/skm",
        "/counter/recap?from=2026-11-01&to=2026-11-28&service=A",
        "/counter/skm?from=2026-11-01&to=2026-11-30&counter=1",
    ],
)
def test_a_page_asked_for_without_a_login_is_where_the_login_goes_back_to(client, path):
    r = client.get(path)
    assert r.status_code == 302
    assert r.headers["Location"] == "/counter/?next=" + quote(path, safe="")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    config = re.search(r'<script id="page-config" type="application/json">(.*?)</script>', page).group(1)
    assert f'"next": "{path}"' in config.replace("\\u0026", "&")


@pytest.mark.parametrize(
    "value",
    [
        "/counter/recap",
        "/counter/recap?from=2026-11-01&to=2026-11-28",
        "/counter/dashboard?group=officer",
        "/",
    ],
)
def test_a_local_path_is_a_page_to_go_back_to(value):
    assert safe_next(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example/counter/",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "/counter//evil",
        "/counter/recap?next=http://evil.example",
        "counter/recap",
        " /counter/recap",
        "/counter/\nrecap",
        "/counter/\trecap",
        "",
        None,
        ["/counter/"],
        "/" + "a" * 2001,
    ],
)
def test_anything_else_is_no_page_to_go_back_to(client, value):
    assert safe_next(value) is None
    if isinstance(value, str):
        page = client.get("/counter/?next=" + quote(value, safe="")).get_data(as_text=True)
        assert '"next": null' in page


def test_staff_pages_carry_the_offices_timezone_for_their_clocks(client):
    for path in ("/counter/", "/counter/front", "/counter/admin", "/counter/escalations", "/counter/complaints"):
        html = client.get(path).get_data(as_text=True)
        assert '<html lang="id" data-timezone="Asia/Jakarta">' in html, path
        assert 'id="clock"' in html, path


# ---- the bar on a phone (360×740) and on the counter laptop (1366×768), in Chromium ---------------
NAV_BOX = """() => {
    const links = [...document.querySelectorAll('.staff-nav a[data-roles]')].filter((a) => a.offsetParent !== null);
    return {
        scrollWidth: document.documentElement.scrollWidth,
        width: innerWidth,
        height: innerHeight,
        bar: document.querySelector('header.bar, .staff-nav').getBoundingClientRect().height,
        links: links.map((a) => {
            const r = a.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return { text: a.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                     onTop: hit === a || a.contains(hit) };
        }),
    };
}"""


@pytest.fixture(scope="module")
def nav_server(live):
    live.add_user("kepala", "admin")
    return live


@pytest.mark.parametrize("width,height", [(360, 740), (1366, 768)])
def test_every_staff_page_fits_the_screen_with_every_link_of_the_bar_on_it(browser, nav_server, width, height):
    """The admin's bar is the longest (eight pages). At 360 px nothing scrolls sideways and every link is
    on screen and clickable (the bar wraps); at 1366 px the bar is still one row."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    page.goto(nav_server.url + "/counter/admin")
    page.fill("#login-form [name=username]", "kepala")
    page.fill("#login-form [name=password]", "rahasia-123")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#officer-name")).to_have_text("kepala")
    for path, name in PAGES.items():
        page.goto(nav_server.url + path)
        expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text(name)
        if page.locator("#officer-name").count():
            expect(page.locator("#officer-name")).to_have_text("kepala")  # the app's view is drawn
        page.evaluate("document.fonts.ready")
        box = page.evaluate(NAV_BOX)
        assert box["scrollWidth"] <= box["width"], (path, box["scrollWidth"])
        assert [link["text"] for link in box["links"]] == SEEN["admin"], path
        for link in box["links"]:
            assert 0 <= link["left"] and link["right"] <= box["width"], (path, link)
            assert 0 <= link["top"] and link["bottom"] <= box["height"], (path, link)
            assert link["onTop"], (path, link)  # nothing covers it: a tap reaches it
        if width >= 1366:
            assert len({round(link["top"]) for link in box["links"]}) == 1, path  # one row
            assert box["bar"] <= 60, (path, box["bar"])
    context.close()


SEEN_EN = ["Counter", "Front office", "Escalations", "Complaints", "Recap", "Guest book", "Dashboard", "SKM", "Admin"]
BAR_ROW = """() => {
    const bar = document.querySelector('header.bar');
    const items = [...bar.children].filter((e) => e.getClientRects().length && getComputedStyle(e).position !== 'absolute');
    const boxes = items.map((e) => e.getBoundingClientRect());
    const words = [...bar.querySelectorAll('.staff-nav a, button')].filter((e) => e.offsetParent !== null);
    return {
        oneRow: Math.max(...boxes.map((r) => r.top)) < Math.min(...boxes.map((r) => r.bottom)),
        right: Math.max(...boxes.map((r) => r.right)),
        width: innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
        height: bar.getBoundingClientRect().height,
        links: [...bar.querySelectorAll('.staff-nav a')].filter((a) => a.offsetParent !== null).map((a) => a.textContent.trim()),
        cut: words.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.trim()),
        name: document.querySelector('.bar .officer').getBoundingClientRect().width,
    };
}"""


def test_at_1024_px_the_admins_bar_is_one_row_in_both_languages(browser, nav_server):
    """In English the admin's bar took two rows on a 1024x768 laptop (eight pages, the counter, the name, the
    clock, "Bahasa Indonesia", Log out). It is one row in both languages on every page built on the staff
    bar, no word of it cut (the page's name is its marked link; the language button may take two lines);
    a long account name gives way (an ellipsis) rather than push the row onto two."""
    from playwright.sync_api import expect

    name = "kepala.bidang.layanan.pengadaan"
    nav_server.add_user(name, "admin")
    page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="id-ID")
    answer = page.context.request.post(
        nav_server.url + "/api/login", data={"username": name, "password": "rahasia-123"}
    )
    assert answer.ok, answer.text()
    paths = ["/counter/", "/counter/front", "/counter/escalations", "/counter/complaints", "/counter/admin"]
    for lang, toggle in (("id", "English"), ("en", "Bahasa Indonesia")):
        for path in paths:
            page.goto(nav_server.url + path)
            expect(page.locator("#officer-name")).to_have_text(name)
            expect(page.locator("#lang-toggle")).to_have_text(toggle)
            page.evaluate("document.fonts.ready")
            bar = page.evaluate(BAR_ROW)
            assert bar["oneRow"] and bar["height"] <= 60, (lang, path, bar)
            assert bar["right"] <= bar["width"] and bar["scrollWidth"] <= bar["width"], (lang, path, bar)
            assert bar["cut"] == [] and bar["name"] >= 36, (lang, path, bar)  # some of the name is seen
            assert bar["links"] == (SEEN_EN if lang == "en" else SEEN["admin"]), (lang, path)
            if path == "/counter/front":  # the announcement's button stays, its loudspeaker alone if its word is cut
                expect(page.locator("#btn-announcement")).to_be_visible()
                expect(page.locator("#btn-announcement")).to_have_attribute(
                    "aria-label", "Announcement" if lang == "en" else "Pengumuman"
                )
        if lang == "id":
            page.click("#lang-toggle")  # kept for the next pages (this browser's choice)
    page.context.close()


# The officer's name in the bar, as drawn: the width of #officer-name inside its box and the window, and its own width
NAME_SHOWN = """() => {
    const name = document.getElementById('officer-name').getBoundingClientRect();
    const box = document.querySelector('.bar .officer').getBoundingClientRect();
    const left = Math.max(name.left, box.left, 0), right = Math.min(name.right, box.right, innerWidth);
    const top = Math.max(name.top, box.top, 0), bottom = Math.min(name.bottom, box.bottom, innerHeight);
    return { shown: bottom - top >= name.height - 1 ? Math.max(0, right - left) : 0, width: name.width,
             bar: document.querySelector('header.bar').getBoundingClientRect().height };
}"""


def test_the_counter_laptops_bar_names_the_officer_beside_a_long_office_and_counter_name(browser, nav_server):
    """An office named as offices are ("LPSE Pemerintah Kabupaten Contoh Provinsi Nusa Tenggara Barat") and its
    counters as real offices name them: on a 1366x768 laptop (and up to 1599 px) the counter page's bar showed
    "Pe…" where the officer's name was, the label "Pemberi penjelasan:" taking what room the row left and the name
    none of it (helper-294's office day). The label gives way whole first: the name is on the screen, whole when
    it is short, and some of it when long (the rest in its tooltip)."""
    from playwright.sync_api import expect
    from staffpages import PASSWORD, put_settings, settings_kept

    nav_server.add_user("budi", "officer")
    nav_server.add_user("kepala.bidang.layanan", "officer")
    admin = nav_server.session("kepala", PASSWORD)
    with settings_kept(nav_server, admin):
        settings = admin.get(f"{nav_server.url}/api/admin/settings", timeout=5).json()
        office = {k: v for k, v in settings["office"].items() if k != "timezone"}
        put_settings(
            nav_server,
            admin,
            "office",
            {**office, "name": "LPSE Pemerintah Kabupaten Contoh Provinsi Nusa Tenggara Barat"},
        )
        counters = [dict(c) for c in settings["counters"]]
        counters[1]["name"] = "Loket 2 - Layanan Konsultasi Non-Penyedia (PPK, Pokja Pemilihan dan Pejabat Pengadaan)"
        put_settings(nav_server, admin, "counters", counters)
        for width, name in [(w, n) for w in (1366, 1536) for n in ("budi", "kepala.bidang.layanan")]:
            context = browser.new_context(viewport={"width": width, "height": 768}, locale="id-ID")
            page = context.new_page()
            answer = page.context.request.post(
                nav_server.url + "/api/login", data={"username": name, "password": PASSWORD}
            )
            assert answer.ok, answer.text()
            page.goto(nav_server.url + "/counter/")
            expect(page.locator("#officer-name")).to_have_text(name)
            page.select_option("#counter-select", "2")
            page.evaluate("document.fonts.ready")
            seen = page.evaluate(NAME_SHOWN)
            if name == "budi":
                assert seen["shown"] >= seen["width"] - 1, (width, name, seen)  # whole
            else:
                assert seen["shown"] >= 36, (width, name, seen)  # some of it, then "…"
            assert seen["bar"] <= 74, (width, name, seen)
            context.close()


# ---- the pages the server draws (recap, guest book, dashboard, SKM) in the language chosen on the staff pages ---
REPORTS = ("/counter/recap", "/counter/guestbook", "/counter/dashboard", "/counter/skm")


def test_the_report_pages_follow_the_language_chosen_on_the_other_staff_pages(app, client):
    """Switched to English on the counter page (common.js keeps it in the antrian_lang cookie), the recap
    and dashboard were Indonesian, with no switch or clock in their bar. Now their bar, filters and
    messages, and the whole dashboard, are in English; the recap itself stays the SOP's Indonesian form."""
    client.post("/api/tickets", json=visitor())  # a day with a ticket: the dashboard draws its figures
    login(app, client, "budi")
    client.set_cookie("antrian_lang", "en")
    recap = client.get("/counter/recap").get_data(as_text=True)
    assert '<html lang="en">' in recap
    assert [t for _, t, hidden, _ in nav_links(recap) if not hidden][:3] == ["Counter", "Escalations", "Complaints"]
    assert ">From <input" in recap and ">Download XLSX (for Excel)<" in recap and ">Log out<" in recap
    assert 'id="nav-lang"' in recap and ">Bahasa Indonesia</a>" in recap and 'id="nav-clock"' in recap
    assert '<h1 lang="id">Rekap Penanganan Permasalahan' in recap and "Periode: " in recap  # the document
    assert ">No cases in this period.<" in recap
    dashboard = client.get("/counter/dashboard").get_data(as_text=True)
    assert '<html lang="en">' in dashboard and "<h1>Service time dashboard</h1>" in dashboard
    assert "Waiting time" in dashboard and "Waktu tunggu" not in dashboard and "Kelompokkan" not in dashboard
    skm = client.get("/counter/skm").get_data(as_text=True)
    assert '<html lang="en">' in skm and "<h1>Public Satisfaction Survey (SKM) Report</h1>" in skm
    # the bar's own switch: the page again in the other language (kept by nav.js for the other pages)
    assert 'href="?lang=id"' in dashboard
    indonesian = client.get("/counter/dashboard?lang=id").get_data(as_text=True)
    assert '<html lang="id">' in indonesian and "<h1>Dasbor waktu layanan</h1>" in indonesian
    assert ">English</a>" in indonesian


@pytest.mark.parametrize("path", REPORTS)
def test_a_reversed_period_is_said_in_words_and_claims_no_empty_period(app, client, path):
    login(app, client, "budi")
    html = client.get(f"{path}?from=2026-11-30&to=2026-11-01").get_data(as_text=True)
    assert "Tanggal akhir (2026-11-01) sebelum tanggal awal (2026-11-30): tukar keduanya." in html
    assert "(invalid)" not in html and "Isian tidak valid" not in html
    assert "Tidak ada penanganan" not in html and "Tidak ada tiket" not in html
    client.set_cookie("antrian_lang", "en")
    answer = client.get(f"{path}?from=2026-11-30&to=2026-11-01")
    assert answer.status_code == 422
    assert "The end date (2026-11-01) is before the start date (2026-11-30): swap them." in answer.get_data(
        as_text=True
    )


def test_an_empty_period_on_the_dashboard_is_said_not_drawn(app, client):
    login(app, client, "budi")
    html = client.get("/counter/dashboard?from=2020-11-01&to=2020-11-30").get_data(as_text=True)
    assert ">Tidak ada tiket pada periode ini.<" in html
    assert "<svg" not in html and 'class="groups"' not in html


LABELS = """() => {
    const out = [];
    for (const svg of document.querySelectorAll('.chart svg')) {
        const frame = svg.getBoundingClientRect();
        for (const text of svg.querySelectorAll('text.label')) {
            const r = text.getBoundingClientRect();
            out.push({ text: text.firstChild.textContent, title: text.querySelector('title')?.textContent || null,
                       inside: r.left >= frame.left - 0.5 && r.right <= frame.right + 0.5
                               && r.top >= frame.top - 0.5 && r.bottom <= frame.bottom + 0.5 });
        }
    }
    return out;
}"""


def test_the_dashboards_bar_labels_are_whole_on_screen_and_on_paper(browser, nav_server):
    """Labels rotated under the bars lost their beginning past ~18 characters ("…yedia (PPK/Pokja/PP)"):
    the drawing now has the room its longest label needs, on screen and printed."""
    from staffpages import issue

    for code in ("A", "B", "C"):
        issue(nav_server, f"Pengunjung {code}", service=code)
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    answer = page.context.request.post(
        nav_server.url + "/api/login", data={"username": "kepala", "password": "rahasia-123"}
    )
    assert answer.ok, answer.text()
    page.goto(nav_server.url + "/counter/dashboard?group=service")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        labels = page.evaluate(LABELS)
        assert {x["text"] for x in labels} == {
            "Konsultasi Penyedia",
            "Konsultasi Non-Penyedia (PPK/Pokja/PP)",
            "Registrasi & Verifikasi Akun",
        }, media
        assert all(x["inside"] for x in labels), (media, [x for x in labels if not x["inside"]])
    page.context.close()


SPREAD = """() => [...document.querySelectorAll('.chart')].map(frame => {
    const svg = frame.querySelector(':scope > svg'), box = svg.getBoundingClientRect();
    const bars = [...svg.querySelectorAll('rect')].map(r => r.getBoundingClientRect());  // a bar of 0 still has its place
    return { frame: frame.clientWidth - 8, svg: box.width,  // the frame's inside: less its 4 px padding each side
             first: bars.length ? (bars[0].left - box.left) / box.width : null,
             last: bars.length ? (bars[bars.length - 1].right - box.left) / box.width : null,
             widest: Math.max(0, ...bars.map(r => r.width)), count: bars.length };
})"""


def test_the_dashboards_charts_use_their_frames_width_on_screen_and_on_paper(browser, nav_server):
    """At 1366 px the bar charts of a few groups used the left half of their frame (bars 600 px of ~1150,
    the right half empty): a chart of a few groups is now as wide as its frame, its bars spread over it
    and no wider than 72 px, on screen and on A4; the arrivals' 24 hours too."""
    from staffpages import issue

    for code in ("A", "B", "C"):
        issue(nav_server, f"Pengunjung {code}", service=code)
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    answer = page.context.request.post(
        nav_server.url + "/api/login", data={"username": "kepala", "password": "rahasia-123"}
    )
    assert answer.ok, answer.text()
    page.goto(nav_server.url + "/counter/dashboard?group=service")
    for media, width in (("screen", 1366), ("print", 703)):  # A4's 210 mm less the page's 12 mm margins
        page.set_viewport_size({"width": width, "height": 768})
        page.emulate_media(media=media)
        charts = page.evaluate(SPREAD)
        assert len(charts) == 6, charts  # five shares and the arrivals
        for chart in charts:
            assert chart["svg"] >= chart["frame"] - 1 and chart["frame"] >= 660, (media, chart)
            assert chart["widest"] <= 72.5, (media, chart)
        for chart in charts[:5]:  # three services: three bars from the left of the drawing to its right
            assert chart["count"] == 3 and chart["first"] < 0.3 and chart["last"] > 0.8, (media, chart)
        assert charts[5]["first"] < 0.12 and charts[5]["last"] > 0.9, (media, charts[5])  # 00.00 to 23.00
    page.context.close()


def test_a_label_too_long_for_the_chart_ends_in_an_ellipsis_with_the_whole_in_its_tooltip():
    from counter import _bar_label

    name = "Dr. Ir. Eko Prasetyo Wibisono Hadikusumo Mangkunegoro Suryadiningrat, S.Kom., M.T., M.Kom., CISA"
    short = _bar_label(name)
    assert short.startswith("Dr. Ir. Eko Prasetyo") and short.endswith("…") and len(short) == 40
    assert _bar_label("Konsultasi Non-Penyedia (PPK/Pokja/PP)") == "Konsultasi Non-Penyedia (PPK/Pokja/PP)"


def test_the_staff_bars_name_the_full_name_the_forms_are_signed_with(app, client):
    """The counter's bar said "Pemberi penjelasan: budi" while the A4 form is signed "Budi Santoso, S.Kom.":
    /api/me, which every staff page's bar reads (common.js showUser), names the full name."""
    h = login(app, client, "budi")
    assert client.get("/api/me", headers=h).get_json()["user"]["full_name"] is None  # none yet: the login name
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", full_name="Budi Santoso, S.Kom.")
    me = client.get("/api/me", headers=h).get_json()["user"]
    assert me["username"] == "budi" and me["full_name"] == "Budi Santoso, S.Kom."


@pytest.mark.parametrize("path", ["/counter/recap", "/counter/dashboard", "/counter/skm", "/counter/guestbook"])
def test_the_report_pages_name_in_the_bar_has_one_tooltip_the_links_with_the_login_and_the_password(app, client, path):
    """The name's own tooltip (the login name) hid the link's, which says where the name leads: "… — ganti kata
    sandi". Only the link has one, naming both, as common.js leaves the other staff pages' bars."""
    login(app, client, "budi")
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", full_name="Budi Santoso, S.Kom.")
    html = client.get(path).get_data(as_text=True)
    account = re.search(r'<span class="nav-account">(.*?</span></a>)', html, re.S)
    assert account, html
    link = re.search(r'<a class="nav-me" href="/counter/password" title="([^"]*)">', account.group(1))
    assert link and link.group(1) == "Budi Santoso, S.Kom. (budi) — ganti kata sandi", account.group(1)
    assert '<span class="nav-user">Budi Santoso, S.Kom.</span>' in account.group(1)
    assert account.group(1).count("title=") == 1
