"""Every page in English shows no Indonesian words, and in Indonesian no English ones (helper-467).

tests/test_i18n.py checks the catalogue's keys and the templates' words; nothing looked at what a page shows once its
script has drawn it in a state people meet: a string written in a .js or .py file instead of server/i18n/*.json, a
server message in the other language, a date's names, a button's title or aria-label, a placeholder. One walk, one
server: each page in each language, in its states (the kiosk's form, refusal and ticket; the phone waiting, called
and served; the TV with a call and a break, offline; the counter calling and serving, its correction form, an
escalation refused and made from the page; the front office's list and cancel dialog, a slip failed at a printer out of
paper; the staff's reports, admin, login and password pages; the office closed for the day: the kiosk refusing at its
review and closed, the TV, the phone of a number nobody will call today and of a cancelled one, and the next day that
number expired, helper-469), its visible text and its
title/placeholder/aria-label/alt read, and the other language's common words looked for. The data the test typed
(names, problems: Indonesian on either page) and proper names are left out.
"""

from __future__ import annotations

import re

import pytest
import requests
from conftest import SocketGate, write_config
from fakeprinter import PAPER_IN, PAPER_OUT, STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, put_settings, sign_in, staffed

# What a person reads: each visible element's own text, then the title, placeholder, aria-label and alt of every
# visible element, and the tab's title (when `title`); not in the elements `skip` selects (the office's own names). Text marked as in another language than the page's (the recap's
# and the guest book's documents: the SOP's forms, lang="id" whatever the page's language) is left out.
SHOWN_JS = """([title, skip]) => {
  const out = title ? [document.title] : [];
  const lang = document.documentElement.lang;
  const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility === 'visible'
    && (el.closest('[lang]') || document.documentElement).lang === lang && !el.closest(skip);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.data.trim() || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName) || !shown(el)) continue;
    out.push(t.data.trim());
  }
  for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
    if (!shown(el)) continue;
    for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
      const v = el.getAttribute(name);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  for (const el of document.body.querySelectorAll('input[type=submit], input[type=button]')) if (shown(el)) out.push(el.value);
  return out;
}"""

# Common words of each language that the other does not share (whole words, any case).
INDONESIAN = (
    "nomor silakan belum sudah tidak dan yang menit hari ini loket antrian tiket petugas layanan tunggu menunggu "
    "dipanggil selesai simpan batal cari nama tanggal pukul dengan untuk dari atau pada akan sedang tutup buka "
    "masuk keluar kembali ganti kata sandi semua baru lama istirahat lanjut panggil lewati cetak kirim ulang "
    "jam detik orang anda kami dalam oleh bisa harus telah sebelum sesudah setelah hapus ubah tambah daftar "
    "senin selasa rabu kamis jumat sabtu minggu januari februari maret mei juni juli agustus oktober desember "
    "agu okt des mei jun jul feb mar"
).split()
ENGLISH = (
    "the please not minutes minute today counter ticket number waiting called served break save cancel search name "
    "and of to with your you is are was has have been from for this that next back close closed open print "
    "send log sign password new all none yes wait time hours day days date visitor officer service services "
    "queue call skip start done finished error page show hide edit delete add remove copy "
    "monday tuesday wednesday thursday friday saturday sunday january february march may june july august "
    "october december"
).split()
WORDS = {
    "en": re.compile(r"\b(" + "|".join(INDONESIAN) + r")\b", re.I),
    "id": re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.I),
}
# Names and the test's own data, the same in either language: taken out of a text before it is looked at.
PROPER = (
    "LPSE Kabupaten Contoh", "LPSE", "SPSE", "LKPP", "SKM", "CV Maju Bersama", "Jl. Sudirman No. 12",
    "Helpdesk", "Front Office", "Bahasa Indonesia", "English",
)  # fmt: skip


def leftovers(texts: list[str], lang: str, data: tuple[str, ...] = ()) -> list[str]:
    out = []
    for text in texts:
        cleaned = text
        for name in (*data, *PROPER):
            cleaned = cleaned.replace(name, " ")
        found = WORDS[lang].findall(cleaned)
        if found:
            out.append(f"{'/'.join(sorted(set(w.lower() for w in found)))}: {text[:160]!r}")
    return out


# The office's own words from config.toml (counter names, the priority classes') and the test's data.
OFFICE_DATA = (
    "Jl. Merdeka No. 1, Kota Contoh", "Loket 1", "Loket 2", "Loket 3", "Tinggi", "Sedang", "Rendah",
    "Menghambat proses pemilihan yang sedang berjalan (mis. batas unggah penawaran)",
    "Mengganggu pekerjaan, tetapi ada cara sementara", "Pertanyaan atau konsultasi umum",
)  # fmt: skip
NAMES = ("Rudi Hartono", "Dewi Lestari", "Wulan Sari")
TYPED = (
    *OFFICE_DATA, *(f"{n}: lupa kata sandi akun penyedia SPSE" for n in NAMES), *NAMES,
    "Kata sandi direset.", "Perlu dicek LKPP.", "nomor-antrian.wav",
)  # fmt: skip
# The TV draws a counter's name ("Loket 1", config.toml's) as its word and its number apart (its tile, its calls).
OFFICE_NAMES = ".counter-name, .to"
# On purpose in the other language: the TV tile of a counter on a break says it in both ("ON BREAK" / "Istirahat").
BILINGUAL = {"en": ("Istirahat",), "id": ("On break",)}
# The recap's and the guest book's tabs name their document (the SOP's form, in Indonesian; its printed page's header).
SOP_DOCUMENTS = ("/counter/recap", "/counter/guestbook")


@pytest.fixture(scope="module")
def printer():
    """The kiosk's printer: a receipt printer on 127.0.0.1 that answers its status (out of paper when a test says)."""
    made = FakeNetworkPrinter()
    yield made
    made.stop()


@pytest.fixture(scope="module")
def office(tmp_path_factory, printer):
    """The module's one server, on a clock the walk moves to the next day (a number left waiting expires), the kiosk's
    printer the fake one (its slip fails while it is out of paper)."""
    config = write_config(tmp_path_factory.mktemp("languages"), printer.as_kiosk(timeout=1, check_status=True))
    server = ClockedServer(config, tick=0.1, dated=True).start()
    yield staffed(server)
    server.stop()


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def to_review(kiosk, url: str, lang: str) -> None:
    """A visitor at the kiosk, in `lang`, through the services and the form to the review."""
    kiosk.goto(url + "/kiosk/")
    expect(kiosk.locator("#screen-welcome")).to_be_visible()
    if lang == "en":
        kiosk.click("#lang-toggle")
        expect(kiosk.locator("#start")).to_contain_text("Touch the screen")
    kiosk.click("#start")
    kiosk.click('[data-service="A"]')
    for field, value in (("name", NAMES[2]), ("agency", "CV Maju Bersama"), ("phone", "081234567890")):
        kiosk.fill(f"#f-{field}", value)
    kiosk.fill("#f-address", "Jl. Sudirman No. 12")
    kiosk.fill("#f-problem", f"{NAMES[2]}: lupa kata sandi akun penyedia SPSE")
    kiosk.click('[data-category="konsultasi"]')
    kiosk.click("#to-review")
    expect(kiosk.locator("#screen-review")).to_be_visible()


class Walk:
    """What one person saw, page by page, in `lang`: the other language's words found, by where."""

    def __init__(self, lang: str):
        self.lang = lang
        self.found: dict[str, list[str]] = {}

    def look(self, page, where: str) -> None:
        texts = page.evaluate(SHOWN_JS, [where not in SOP_DOCUMENTS, OFFICE_NAMES])
        allowed = TYPED + BILINGUAL[self.lang]
        for hit in leftovers(texts, self.lang, allowed):
            self.found.setdefault(where, [])
            if hit not in self.found[where]:
                self.found[where].append(hit)

    def report(self) -> str:
        return "\n".join(f"{where}: {hit}" for where, hits in self.found.items() for hit in hits)


def settled(page) -> None:
    """A page loaded, and a staff page's requests answered (common.js counts them)."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !window.antrianApi || antrianApi.inFlight() === 0", polling=50)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_page_shows_only_its_languages_words(browser, office, printer, lang):
    """An English-speaking visitor, officer, front office and admin, then an Indonesian one, through the day's
    pages: not one common word of the other language on any (the office's and the test's own data aside)."""
    walk = Walk(lang)
    empty_queue(office)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB" if lang == "en" else "id-ID")
    context.add_init_script(f"localStorage.setItem('antrian.lang', '{lang}')")  # the staff pages' choice
    context.add_cookies([{"name": "antrian_lang", "value": lang, "url": office.url}])  # and the server-drawn ones'
    q = f"?lang={lang}"
    try:
        # the login page, and its refusal
        page = context.new_page()
        page.goto(office.url + "/counter/")
        expect(page.locator("#login-form")).to_be_visible()
        walk.look(page, "login")
        page.fill("#login-form [name=username]", "budi")
        page.fill("#login-form [name=password]", "salah-salah-1")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#login-error")).not_to_be_empty()
        walk.look(page, "login refused")

        # the kiosk: welcome, services, the form refused, offline, the ticket
        kiosk = context.new_page()
        kiosk.set_viewport_size({"width": 1080, "height": 1920})
        gate = SocketGate(kiosk, polling=True)
        kiosk.goto(office.url + "/kiosk/")
        expect(kiosk.locator("#screen-welcome")).to_be_visible()
        if lang == "en":
            kiosk.click("#lang-toggle")
            expect(kiosk.locator("#start")).to_contain_text("Touch the screen")
        walk.look(kiosk, "kiosk welcome")
        kiosk.click("#start")
        walk.look(kiosk, "kiosk services")
        kiosk.click('[data-service="A"]')
        kiosk.click("#to-review")
        expect(kiosk.locator("#e-name")).not_to_be_empty()
        walk.look(kiosk, "kiosk form refused")
        for field, value in (("name", NAMES[2]), ("agency", "CV Maju Bersama"), ("phone", "081234567890")):
            kiosk.fill(f"#f-{field}", value)
        kiosk.fill("#f-address", "Jl. Sudirman No. 12")
        kiosk.fill("#f-problem", TYPED[-6])
        kiosk.click('[data-category="konsultasi"]')
        kiosk.click("#to-review")
        expect(kiosk.locator("#screen-review")).to_be_visible()
        walk.look(kiosk, "kiosk review")
        kiosk.click("#submit")
        expect(kiosk.locator("#screen-ticket")).to_be_visible()
        walk.look(kiosk, "kiosk ticket")
        gate.cut()
        expect(kiosk.locator("#offline-notice")).to_be_visible()
        walk.look(kiosk, "kiosk offline")
        kiosk.close()

        empty_queue(office)  # the kiosk's number cancelled: the next called is `mine`
        mine = issue(office, NAMES[0])
        gone = issue(office, NAMES[1], "B")
        # the phone, waiting
        phone = context.new_page()
        phone.set_viewport_size({"width": 360, "height": 640})
        phone.goto(f"{office.url}/t/{mine['token']}{q}")
        phone.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        expect(phone.locator("#position")).not_to_be_empty()
        walk.look(phone, "phone waiting")
        # the TV
        tv = context.new_page()
        tv.set_viewport_size({"width": 1920, "height": 1080})
        tv_gate = SocketGate(tv, polling=True)
        tv.goto(f"{office.url}/display/{q}")
        tv.wait_for_function("() => document.body.classList.contains('online')", polling=50)
        walk.look(tv, "TV")

        # the counter: called, serving (the answer form), an escalation, a break, the correction form
        sign_in(page, office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        settled(page)
        walk.look(page, "counter free")
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text(mine["label"])
        walk.look(page, "counter called")
        expect(tv.locator("body")).to_contain_text(mine["label"])
        walk.look(tv, "TV calling")
        expect(phone.locator("#called")).to_be_visible()
        walk.look(phone, "phone called")
        page.click("#btn-start")
        expect(page.locator("#solution")).to_be_editable()
        walk.look(page, "counter serving")
        page.fill("#solution", "Kata sandi direset.")
        page.click("#btn-resolve")
        expect(page.locator("#btn-fix")).to_be_enabled()
        settled(page)
        walk.look(page, "counter answered")
        expect(phone.locator("#survey")).to_be_visible()
        walk.look(phone, "phone served")
        phone.click("#survey-start")
        expect(phone.locator("#survey-form")).to_be_visible()
        walk.look(phone, "phone survey")
        phone.click("#survey-submit")
        expect(phone.locator("#survey-error")).not_to_be_empty()
        walk.look(phone, "phone survey refused")
        page.click("#btn-fix")
        expect(page.locator("#fix-dialog")).to_be_visible()
        walk.look(page, "counter correction form")
        page.click("#fix-save")
        expect(page.locator("#fix-said")).to_be_visible()
        walk.look(page, "counter correction refused")
        page.click("#fix-cancel")
        page.click("#btn-pause")
        expect(page.locator("#t-paused")).to_be_visible()
        walk.look(page, "counter on a break")
        expect(tv.locator(".paused").first).to_be_visible()
        walk.look(tv, "TV, a counter on a break")
        page.click("#btn-pause")
        expect(page.locator("#t-paused")).to_be_hidden()

        # escalated from the counter's page (its note asked for first)
        third = issue(office, NAMES[2], "A")
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text(third["label"])
        page.click("#btn-start")
        expect(page.locator("#note")).to_be_editable()
        page.click("#btn-escalate")
        expect(page.locator(".field-error[data-field=note]")).not_to_be_empty()
        walk.look(page, "counter escalation refused")
        page.fill("#note", "Perlu dicek LKPP.")
        page.click("#btn-escalate")
        office.ticket_when(third["token"], "escalated")
        settled(page)
        walk.look(page, "counter escalated")
        tv_gate.cut()
        expect(tv.locator("body")).not_to_have_class(re.compile(r"\bonline\b"))
        walk.look(tv, "TV offline")
        tv.close()

        # the front office: the list, a ticket cancelled with its reason; that visitor's phone
        front = context.new_page()
        sign_in(front, office, "/counter/front", "rina")
        row = front.locator(f'#tickets tr[data-label="{gone["label"]}"]')
        expect(row).to_be_visible()
        walk.look(front, "front office")
        row.locator("[data-act=cancel]").click()
        expect(front.locator("fieldset.cancel-why")).to_be_visible()
        walk.look(front, "front office, cancel asked")
        front.locator("fieldset.cancel-why .why-choice").first.click()
        front.click("[data-act=cancel-confirm]")
        office.ticket_when(gone["token"], "cancelled")
        expect(front.locator("fieldset.cancel-why")).to_be_hidden()
        walk.look(front, "front office, cancelled")
        phone.goto(f"{office.url}/t/{gone['token']}{q}")
        expect(phone.locator("#note")).not_to_be_empty()
        walk.look(phone, "phone, number cancelled")
        # the kiosk's printer out of paper: a slip fails, the front office is told
        printer.answers[STATUS_PAPER] = PAPER_OUT
        issue(office, NAMES[1], "B")
        expect(front.locator("#alerts li[data-type=print_failed]").first).to_be_visible()
        walk.look(front, "front office, a slip failed")
        printer.answers[STATUS_PAPER] = PAPER_IN

        # the escalations page, then the staff's pages
        for path, user in (
            ("/counter/escalations", "budi"),
            ("/counter/complaints", "rina"),
            ("/counter/recap", "budi"),
            ("/counter/guestbook", "rina"),
            ("/counter/dashboard", "kepala"),
            ("/counter/skm", "kepala"),
            ("/counter/admin", "kepala"),
            ("/counter/password", "budi"),
        ):
            other = context.new_page()
            sign_in(other, office, path, user, check_name=False)
            settled(other)
            walk.look(other, path)
            if path.endswith("admin"):
                other.locator('[data-key="queue.max_calls"]').fill("0")
                other.click("#sec-queue button.save")
                expect(other.locator("#sec-queue .notice")).to_have_attribute("data-kind", "error")
                walk.look(other, "admin refused")
            if path.endswith("password"):
                other.fill("#pw-current", "salah-salah-1")
                other.fill("#pw-new", "kata-sandi-baru-1")
                other.fill("#pw-repeat", "kata-sandi-baru-1")
                other.click("#pw-submit")
                expect(
                    other.locator("#pw-current-error, #password-notice").filter(has_text=re.compile(r"\w")).first
                ).to_be_visible()
                walk.look(other, "password refused")
            other.close()

        # the office closed today (a holiday): the kiosk refusing while a visitor is at the review, then closed; the TV;
        # the phone of a number nobody will call today, of a cancelled one; the next day, that number expired
        page.close()  # its officer gone home: no counter held
        empty_queue(office)
        context.clear_cookies()  # signed out: the kiosk's number is refused, a staff member's is not
        context.add_cookies([{"name": "antrian_lang", "value": lang, "url": office.url}])
        late = issue(office, NAMES[0])
        kiosk = context.new_page()
        kiosk.set_viewport_size({"width": 1080, "height": 1920})
        to_review(kiosk, office.url, lang)
        admin = office.session("kepala", PASSWORD)
        today = requests.get(office.url + "/api/state", timeout=5).json()["day"]
        put_settings(office, admin, "hours", {**{d: "08:00-16:00" for d in WEEKDAYS}, "holidays": [today]})
        try:
            expect(kiosk.locator("#office-notice")).to_be_visible()
            walk.look(kiosk, "kiosk, the office closed at the review")
            kiosk.click("#submit")
            expect(kiosk.locator("#submit-error")).not_to_be_empty()
            walk.look(kiosk, "kiosk refused, the office closed")
            kiosk.reload()
            expect(kiosk.locator("#closed-next")).not_to_be_empty()
            if lang == "en":
                kiosk.click("#lang-toggle")
                expect(kiosk.locator("#closed-next")).to_contain_text("at 08:00")
            walk.look(kiosk, "kiosk closed")
            phone.goto(f"{office.url}/t/{late['token']}{q}")
            phone.wait_for_function("() => window.antrianPhone && antrianPhone.ticket().no_service === 'closed'")
            expect(phone.locator("#note")).not_to_be_empty()
            walk.look(phone, "phone, nobody to call it today")
            phone.goto(f"{office.url}/t/{gone['token']}{q}")
            expect(phone.locator("#note")).to_contain_text(re.compile(r"08[.:]00"))
            walk.look(phone, "phone, number cancelled, the office closed")
            tv = context.new_page()
            tv.set_viewport_size({"width": 1920, "height": 1080})
            tv.goto(f"{office.url}/display/{q}")
            expect(tv.locator("#marquee-text")).to_contain_text(re.compile(r"08[.:]00"))
            walk.look(tv, "TV, the office closed")
            tv.close()
            office.next_day()
            office.ticket_when(late["token"], "expired")
            phone.goto(f"{office.url}/t/{late['token']}{q}")
            expect(phone.locator("#status")).to_have_text("expired" if lang == "en" else "kedaluwarsa")
            walk.look(phone, "phone, number expired")
        finally:
            put_settings(office, admin, "hours", None)  # always open again: the next language's walk
    finally:
        context.close()
    assert not walk.found, f"{lang} pages show the other language's words:\n{walk.report()}"
