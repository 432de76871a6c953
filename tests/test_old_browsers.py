"""The public pages in a browser that runs old or no JavaScript: a visitor's phone with Opera Mini, UC Browser or an
old Android's built-in browser scanning the slip's QR code, a cheap TV box's years-old WebView, a survey tablet or a
kiosk with scripting off.

- Without any script the phone page says its ticket's status, the call, the place in line and the note in words,
  drawn by the server as phone.js would write them, and reloads itself while the ticket may change (as ?lite=1,
  the page without its script and data); its survey says where else it can be answered.
- A module that cannot run (no ES modules, a syntax the browser cannot read) leaves the phone page the same words
  (server/static/fallback.js puts its <noscript> parts in place), and the TV, the survey tablet and the kiosk a
  message in both languages saying what to do, instead of a blank screen or a start button that does nothing.
- The scripts and styles need nothing newer than the baseline docs/display.md and docs/kiosk.md name ("Browsers"):
  a token scan of them (tests/baseline_scan.py).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
from baseline_scan import CSS, JS, ScanError, css_features, js_features, js_tokens
from conftest import visitor, write_config
from kioskui import shot
from live import ClockedServer, LiveServer
from playwright.sync_api import expect

from kiosk import PHONE_REFRESH_SECONDS
from server.i18n import word

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 360, "height": 640}
TV = {"width": 1920, "height": 1080}

# -- the baseline -------------------------------------------------------------------------------------------

# The oldest Chromium (Chrome, Android WebView) and Safari (iOS) each file must work in (docs/kiosk.md and
# docs/display.md, "Browsers"): the phone's scripts and style from ES modules on (Chromium 61, Safari 11); the TV's
# script too, its style from min()/max(), which size all of it (79); the survey tablet's style from flex gap (84),
# which spaces its keys and choices.
PHONE_BASELINE = (61, "11")
SCRIPTS = {
    "kiosk/static/phone.js": PHONE_BASELINE,
    "kiosk/static/skmform.js": PHONE_BASELINE,
    "kiosk/static/readparams.js": PHONE_BASELINE,
    "server/static/live.js": PHONE_BASELINE,
    "display/static/display.js": PHONE_BASELINE,
    "kiosk/static/survey.js": PHONE_BASELINE,
    "kiosk/static/idlewarning.js": PHONE_BASELINE,
    "server/static/fallback.js": PHONE_BASELINE,
}
STYLES = {
    "kiosk/static/phone.css": PHONE_BASELINE,
    "kiosk/static/nolive.css": PHONE_BASELINE,
    "display/static/display.css": (79, "13.1"),
    "kiosk/static/survey.css": (84, "14.1"),
    # the kiosk's and the survey tablet's message for a browser too old for them: any browser reads it
    "server/static/too_old.css": PHONE_BASELINE,
}
# Newer than a file's baseline, and harmless there: what an older browser shows instead.
ALLOWED = {
    ("kiosk/static/phone.css", "flex gap"): "spacing only: the office's name and the language button, the "
    "survey's choices touch (Chromium 84, Safari 14.1)",
    ("kiosk/static/phone.css", "container queries (@container, container-type, cq units)"): "container-type "
    "alone; the number's cqw size is inside @supports: 84 px without it",
    ("display/static/display.css", "subgrid"): "@supports not (subgrid) gives each latest call's row its own "
    "columns: aligned within the row only (Chromium 117)",
    ("display/static/display.js", "AbortController"): "behind typeof: a sound's request or a look at /healthz "
    "unanswered on a dead connection is left behind instead of aborted, the next try takes another one",
}


def newer(feature, baseline: tuple[int, str]) -> bool:
    def version(v: str) -> tuple[int, ...]:
        return (999,) if v == "none" else tuple(int(p) for p in v.split("."))

    return feature.chrome > baseline[0] or version(feature.safari) > version(baseline[1])


def too_new(found: list[tuple[str, int]], table: dict, path: str, baseline: tuple[int, str]) -> list[str]:
    return [
        f"{path}:{line}: {name} (Chromium {table[name].chrome}, Safari {table[name].safari})"
        for name, line in found
        if newer(table[name], baseline) and (path, name) not in ALLOWED
    ]


@pytest.mark.parametrize("path", sorted(SCRIPTS))
def test_the_public_scripts_need_nothing_newer_than_their_baseline(path):
    """display.js's replaceChildren() (Chromium 86) threw at every redraw of a TV box's WebView 85 or older, before
    the waiting counts and the latest calls were drawn; live.js's object spread stopped every page's module on a
    phone's Safari 11.0 (a syntax error)."""
    found = js_features((ROOT / path).read_text("utf-8"))
    assert too_new(found, JS, path, SCRIPTS[path]) == []


@pytest.mark.parametrize("path", sorted(STYLES))
def test_the_public_styles_need_nothing_newer_than_their_baseline_but_what_is_listed_harmless(path):
    found = css_features((ROOT / path).read_text("utf-8"))
    assert too_new(found, CSS, path, STYLES[path]) == []


def test_what_is_listed_harmless_is_still_used_there():
    """The list says what each page needs beyond its baseline: an entry no longer true goes."""
    for path, name in ALLOWED:
        script = path in SCRIPTS
        scan, table, baseline = (js_features, JS, SCRIPTS[path]) if script else (css_features, CSS, STYLES[path])
        assert name in {n for n, _ in scan((ROOT / path).read_text("utf-8"))}, (path, name)
        assert newer(table[name], baseline), (path, name)


# Each screen that names the browser it needs: its scripts and styles (as its template loads them), the guide
# that names the version, and the words of its message for a browser too old or without script.
SCREENS = {
    "page.display": (
        (
            "display/static/display.js",
            "server/static/live.js",
            "server/static/fallback.js",
            "display/static/display.css",
        ),
        "docs/display.md",
    ),
    "page.survey": (
        ("kiosk/static/survey.js", "server/static/fallback.js", "kiosk/static/survey.css"),
        "docs/kiosk.md",
    ),
}


@pytest.mark.parametrize("prefix", sorted(SCREENS))
def test_the_message_and_the_guide_name_the_oldest_chromium_the_screens_files_need(prefix):
    """The TV's message said "Chromium or Google Chrome 84 or newer" where docs/display.md said 79, the version
    its files need since flex gap left display.css: an admin with a TV box of 79–83 was told to replace it. The
    number in each message (both languages) and in its guide is the newest baseline among the screen's files."""
    from server.i18n import catalogue

    files, guide = SCREENS[prefix]
    needed = max((SCRIPTS | STYLES)[path][0] for path in files)
    named = re.compile(r"Chrom(?:e|ium)(?: versi)? (\d+) (?:or newer|atau yang lebih baru)")
    for lang in ("id", "en"):
        for key in (f"{prefix}.too_old_what", f"{prefix}.no_script_what"):
            text = catalogue(lang)[key]
            assert [int(n) for n in named.findall(text)] in ([needed], []), (lang, key, needed, text)
        assert named.findall(catalogue(lang)[f"{prefix}.too_old_what"]), (lang, prefix)  # it does name one
    said = [int(n) for n in named.findall((ROOT / guide).read_text("utf-8").replace("**", ""))]
    assert said == [needed], (guide, said, needed)


ES2015 = {"let", "const", "class", "async", "await", "yield", "import", "export", "of"}


def es2015_in(source: str) -> list[str]:
    return [
        f"{t.line}: {t.text if t.kind != 'template' else '`'}"
        for t in js_tokens(source)
        if (t.kind == "name" and t.text in ES2015)
        or (t.kind == "punct" and t.text in ("=>", "...", "**"))
        or t.kind == "template"
    ]


def test_the_fallback_script_is_es5_which_any_browser_reads():
    """server/static/fallback.js must run where the pages' modules do not: no let, const, arrow function, class,
    template literal, spread."""
    source = (ROOT / "server/static/fallback.js").read_text("utf-8")
    assert es2015_in(source) == []
    assert es2015_in(source.replace("var i;", "const i = 0;")) == [
        f"{source[: source.index('var i;')].count(chr(10)) + 1}: const"
    ]


def test_the_scan_finds_optional_chaining_put_into_the_phones_and_the_tvs_scripts():
    for path in ("kiosk/static/phone.js", "display/static/display.js"):
        source = (ROOT / path).read_text("utf-8")
        assert [name for name, _ in js_features(source) if (path, name) not in ALLOWED] == []
        lines = source.split("\n")
        at = next(i for i, line in enumerate(lines) if '"use strict";' in line)
        lines.insert(at + 1, "  var probe = document.body?.dataset;")
        found = [(name, line) for name, line in js_features("\n".join(lines)) if (path, name) not in ALLOWED]
        assert found == [("optional chaining ?.", at + 2)], path


@pytest.mark.parametrize(
    ("snippet", "feature"),
    [
        ("a?.b", "optional chaining ?."),
        ("f?.(1)", "optional chaining ?."),
        ("a ?? b", "nullish coalescing ??"),
        ("a ||= b", "logical assignment ??= ||= &&="),
        ("const o = { ...a, b };", "object rest/spread {...x}"),
        ("const { a, ...rest } = o;", "object rest/spread {...x}"),
        ("try { f(); } catch { g(); }", "optional catch binding"),
        ("const n = 1_000;", "numeric separator 1_000"),
        ("class A { #x = 1; }", "private class member #x"),
        ("class A { x = 1; m() {} }", "class field"),
        ("class A { static { init(); } }", "class static block"),
        ('import("./x.js")', "dynamic import()"),
        ("import.meta.url", "import.meta"),
        ("s.replaceAll('a', 'b')", ".replaceAll()"),
        ("list.at(-1)", ".at()"),
        ("a.flat()", ".flat()"),
        ("el.replaceChildren()", ".replaceChildren()"),
        ("Object.hasOwn(o, 'k')", "Object.hasOwn()"),
        ("Object.fromEntries(pairs)", "Object.fromEntries()"),
        ("Promise.allSettled(all)", "Promise.allSettled()"),
        ("structuredClone(o)", "structuredClone()"),
        ("x = globalThis", "globalThis"),
        ("new ResizeObserver(f)", "ResizeObserver"),
        ("x = /(?<=a)b/", "regex lookbehind (?<= (?<!"),
        ("x = /(?<year>\\d+)/", "regex named group (?<name>"),
        ("x = /a.b/s", "regex flag s"),
        ("x = /\\p{L}/u", "regex property escape \\p{}"),
        ("x = `a ${b?.c} d`", "optional chaining ?."),
    ],
)
def test_the_scan_finds_each_feature(snippet, feature):
    assert [name for name, _ in js_features(snippet)] == [feature]


@pytest.mark.parametrize(
    "snippet",
    [
        'x = "a?.b ?? c"',  # strings
        "x = 'a?.b'",
        "// a?.b ?? c\nx = 1",  # comments
        "/* a?.b ??\n */ x = 1",
        "x = `a?.b ${c} d ?? e`",  # a template's text
        "x = /a?.b/",  # a regex's text: "?." there is "an optional a, any character"
        "x = /[?.]{2}/g",
        "x = a ? .5 : 1",  # a conditional with a number
        "x = a ? b : c",
        "x = a / b / c",  # divisions, not regexes
        "x = f(a) / 2 / g(b)",
        "x = [...a, ...b]; f(...args); function g(...rest) {}",  # array, call and parameter spreads
        "x = { a: [...b] }",
        "try { f(); } catch (e) { g(); }",
        "x.at = 1; x.flat = 2",  # a property named so, not called
        "p.then(f).catch(g)",
        "x = a.finally",
        "y = o.structuredClone",  # a member, not the global
        "x = /(?=\\()/",  # a lookahead
        "x = /[.*+?^${}()|[\\]\\\\]/g",  # readparams.js: a class with ${ } ( ) [ and \\ in it
        "x = 1e-5 + 0x1F + .5",
    ],
)
def test_the_scan_finds_nothing_in_strings_comments_regexes_or_older_syntax(snippet):
    assert js_features(snippet) == []


def test_the_scan_refuses_what_it_cannot_read():
    """A file it misreads (an unclosed string, a regex taken for a division) fails loud, not silent."""
    for broken in ('x = "abc', "x = `a ${b", "f(a]", "x = /abc"):
        with pytest.raises(ScanError):
            js_tokens(broken)


@pytest.mark.parametrize(
    ("snippet", "found"),
    [
        (".a:has(.b) { color: red; }", [":has()"]),
        (".a { inset: 0; }", ["inset"]),
        (".a { box-shadow: inset 0 0 1px #000; }", []),  # a value, not the property
        (".a { display: flex; gap: 8px; }", ["flex gap"]),
        (".a { display: grid; gap: 8px; }", []),  # grid gap: Chromium 66
        (".a { aspect-ratio: 16 / 9; }", ["aspect-ratio"]),
        ("@media (max-aspect-ratio: 3/2) { .a { color: red; } }", []),
        (
            "@container (min-width: 1px) { .a { color: red; } }",
            ["container queries (@container, container-type, cq units)"],
        ),
        (".a { font-size: min(1px, 2px); }", ["min() / max()"]),
        (".a { grid-template-columns: minmax(0, 1fr); }", []),
        (".a { font-size: 84px; font-size: min(84px, 10vw); }", []),  # a fallback first
        ("@supports (font-size: 1cqw) { .a { font-size: 10cqw; } }", []),  # guarded
        (".a { overflow-wrap: anywhere; }", ["overflow-wrap: anywhere"]),
        (".a { overflow-wrap: break-word; overflow-wrap: anywhere; }", []),
        ('.a::after { content: ":has( inset: 0"; } /* .b:has(.c) */', []),
    ],
)
def test_the_css_scan(snippet, found):
    assert [name for name, _ in css_features(snippet)] == found


# -- the phone page ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("oldbrowsers"))).start()
    server.add_user("petugas", "officer")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def session(live):
    return live.session("petugas", "rahasia-123")


def act(live, session, action: str, **payload) -> dict:
    """Counter 1 (services A and C): its officer's action."""
    r = session.post(f"{live.url}/api/counters/1/{action}", json=payload or {"solution": "Selesai."}, timeout=5)
    assert r.status_code == 200, (action, r.text)
    return r.json()["ticket"]


def issue(server, service: str = "C") -> dict:
    r = requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def serve_all(live, session) -> None:
    """Counter 1 calls, serves and resolves until nothing of its services waits (each test leaves it so)."""
    while True:
        r = session.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
        if r.status_code == 204:  # nobody waits
            return
        assert r.status_code == 200, r.text
        act(live, session, "start")
        act(live, session, "resolve")


@pytest.fixture
def phones(browser):
    """phones(server, token, script=True, before=None): a 360x640 phone's page, with its script or without;
    `before(page)` runs before it loads (a route)."""
    contexts = []

    def open_phone(server, token: str, script: bool = True, before=None, query: str = ""):
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, java_script_enabled=script
        )
        contexts.append(context)
        page = context.new_page()
        if before is not None:
            before(page)
        page.goto(f"{server.url}/t/{token}{query}")
        if script and before is None:
            page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        return page

    yield open_phone
    for context in contexts:
        context.close()


# What phone.js render() writes: the page without its script shows the same words in the same places.
WORDS = ("#status", "#called-go", "#called-sub", "#called-miss", "#skipped", "#position", "#wait", "#note")


def words_of(page) -> dict[str, tuple[str, bool]]:
    return {sel: (page.locator(sel).text_content().strip(), page.locator(sel).is_visible()) for sel in WORDS}


def phone_text(key: str, **params) -> str:
    return word(f"phone.{key}", "id", **params)


def assert_without_script(page, live_ticket: bool, survey_elsewhere: bool = False) -> None:
    """What the page without its script shows besides the script's words: no sound button, the language as a
    link, the note on what this browser does instead; a reload (as ?lite=1) while the ticket may change; where
    a served ticket's survey can be answered."""
    expect(page.locator("#sound")).to_be_hidden()
    expect(page.locator("#lang-toggle")).to_be_hidden()
    expect(page.locator("#lang-link")).to_have_text("English")
    refresh = page.locator('head meta[http-equiv="refresh"]')
    if live_ticket:
        expect(page.locator("#no-live")).to_have_text(word("page.phone.no_live", "id", seconds=PHONE_REFRESH_SECONDS))
        expect(refresh).to_have_attribute("content", f"{PHONE_REFRESH_SECONDS}; url=?lite=1&lang=id")
    else:
        expect(page.locator("#no-live")).to_have_count(0)
        expect(refresh).to_have_count(0)
    if survey_elsewhere:
        expect(page.locator("#no-live-survey")).to_have_text(word("page.phone.no_survey", "id"))
    else:
        expect(page.locator("#no-live-survey")).to_have_count(0)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")  # nothing sideways


def same_words_with_and_without_script(phones, live, token: str) -> tuple[dict[str, tuple[str, bool]], object]:
    """The page without its script, and with it: the same words, shown and hidden alike. Returns them, and the
    page without its script."""
    with_script = words_of(phones(live, token))
    page = phones(live, token, script=False)
    without = words_of(page)
    # the same, but the waiting note, which promises a beep: hidden, the page's own note says what happens instead
    if page.locator("body").get_attribute("data-status") == "waiting":
        assert without.pop("#note") == (with_script.pop("#note")[0], False)
    assert without == with_script
    return without, page


def test_without_script_a_waiting_ticket_says_its_place_and_wait_in_words_and_reloads_itself(phones, live, session):
    """The page showed "Status: waiting" (the raw code) and nothing else, and never changed."""
    issue(live), issue(live)  # two ahead
    mine = issue(live)
    words, page = same_words_with_and_without_script(phones, live, mine["token"])
    assert words["#status"] == (phone_text("waiting"), True)
    assert words["#position"][0].startswith(phone_text("position", n=3) + " · " + phone_text("ahead_some", n=2))
    assert words["#wait"][1] and "waktu tunggu" in words["#wait"][0]
    assert words["#called-go"] == ("", False)
    assert_without_script(page, live_ticket=True)
    assert "waiting" not in page.locator("body").inner_text()
    shot(page, "phone-no-script-waiting")
    serve_all(live, session)


def test_without_script_a_called_ticket_says_where_to_go_which_call_and_what_a_miss_does(phones, live, session):
    mine = issue(live)
    act(live, session, "call-next")
    words, page = same_words_with_and_without_script(phones, live, mine["token"])
    assert words["#status"] == (phone_text("called"), True)
    assert words["#called-go"] == ("Silakan menuju Loket 1", True)
    assert words["#called-sub"] == (phone_text("go_sub", label=mine["label"]), True)
    assert words["#called-miss"] == ("", False)
    assert not words["#position"][1]
    assert_without_script(page, live_ticket=True)
    box = page.locator("#called").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # the whole call on the first screen
    shot(page, "phone-no-script-called")
    act(live, session, "recall")
    act(live, session, "recall")  # the third of [queue] max_calls = 3: the last of this round
    words, page = same_words_with_and_without_script(phones, live, mine["token"])
    assert words["#called-sub"] == (phone_text("go_sub_last", label=mine["label"], n=3), True)
    assert words["#called-miss"] == (phone_text("called_last_call"), True)
    act(live, session, "start")
    act(live, session, "resolve")


def test_without_script_a_ticket_passed_over_says_so_first(phones, live, session):
    mine = issue(live)
    for action in ("call-next", "recall", "recall"):
        act(live, session, action)
    other = issue(live)
    assert act(live, session, "call-next")["label"] == other["label"]  # mine requeued behind it
    words, page = same_words_with_and_without_script(phones, live, mine["token"])
    assert words["#status"] == (phone_text("waiting"), True)
    assert words["#skipped"] == (phone_text("note_skipped_last"), True)
    assert words["#position"][0].startswith(phone_text("position", n=1))
    assert_without_script(page, live_ticket=True)
    assert page.locator("#skipped").bounding_box()["y"] < PHONE["height"]
    act(live, session, "start")
    act(live, session, "resolve")
    serve_all(live, session)


@pytest.mark.parametrize("outcome", ["resolve", "escalate"])
def test_without_script_a_served_ticket_says_so_and_where_its_survey_can_be_answered(phones, live, session, outcome):
    """The survey is the script's: without it the page does not pretend there is a form; it says a newer browser
    or the survey tablet by the exit (docs/skm.md) can take it, today. No reload: the ticket is done."""
    mine = issue(live)
    act(live, session, "call-next")
    act(live, session, "start")
    act(live, session, outcome, solution="Selesai.", note="Perlu dicek LKPP.")
    status = {"resolve": "resolved", "escalate": "escalated"}[outcome]
    words, page = same_words_with_and_without_script(phones, live, mine["token"])
    assert words["#status"] == (phone_text(status), True)
    assert words["#note"] == (phone_text(f"note_{status}"), True)
    assert_without_script(page, live_ticket=False, survey_elsewhere=True)
    expect(page.locator("#survey")).to_be_hidden()
    expect(page.locator("button:visible")).to_have_count(0)  # no button that does nothing
    if status == "resolved":
        shot(page, "phone-no-script-resolved")


def test_without_script_an_expired_ticket_says_it_is_no_longer_valid(phones, tmp_path):
    """A number left waiting at the office's midnight: "kedaluwarsa", no reload, no survey."""
    server = ClockedServer(write_config(tmp_path), tick=0.1).start()
    try:
        mine = issue(server)
        server.next_day()
        deadline = time.monotonic() + 10
        while (
            requests.get(f"{server.url}/api/tickets/{mine['token']}", timeout=5).json()["ticket"]["status"] != "expired"
        ):
            assert time.monotonic() < deadline, "yesterday's ticket did not expire"
            time.sleep(0.05)  # polled (tests/test_days.py wait_status)
        words, page = same_words_with_and_without_script(phones, server, mine["token"])
        assert words["#status"] == (phone_text("expired"), True)
        assert words["#note"] == (phone_text("note_expired"), True)
        assert_without_script(page, live_ticket=False)
    finally:
        server.stop()


BROKEN = {
    # a browser that cannot read the module's syntax (as Chromium 79 reads a?.b)
    "syntax": lambda route: route.fulfill(status=200, content_type="text/javascript", body="const a = ;\n"),
    # one without ES modules never runs it: nothing set, and no error (a file that did not come is the server
    # away, and the page waits for it: tests/test_comeback.py)
    "no module": lambda route: route.fulfill(status=200, content_type="text/javascript", body="\n"),
}


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_a_phone_whose_module_cannot_run_keeps_the_servers_words_and_reloads(phones, live, session, how):
    mine = issue(live)
    act(live, session, "call-next")
    page = phones(live, mine["token"], before=lambda p: p.route("**/kiosk/static/phone.js", BROKEN[how]))
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_class(re.compile(r"\bno-module\b"))  # fallback.js ran
    expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")
    expect(page.locator("#status")).to_have_text(phone_text("called"))
    assert_without_script(page, live_ticket=True)
    act(live, session, "start")
    act(live, session, "resolve")


def quick_refresh(route):
    """The phone page as the server drew it, its reload after 1 s instead of PHONE_REFRESH_SECONDS (which the
    tests above find in it): a test of what the reload brings need not wait 20 s for it."""
    response = route.fetch()
    body = response.text().replace(f'content="{PHONE_REFRESH_SECONDS}; url=', 'content="1; url=')
    route.fulfill(response=response, body=body)


def test_the_page_without_script_and_the_one_whose_module_fails_show_the_call_at_their_next_reload(
    phones, live, session
):
    """Both wait in line; the officer calls; at their next reload (PHONE_REFRESH_SECONDS, 1 s here) both say
    where to go, each now the lite page (?lite=1: no script, no survey, no data for them)."""
    mine = issue(live)

    def broken(page):
        page.route("**/t/*", quick_refresh)
        page.route("**/kiosk/static/phone.js", BROKEN["syntax"])

    pages = [
        phones(live, mine["token"], script=False, before=lambda p: p.route("**/t/*", quick_refresh)),
        phones(live, mine["token"], before=broken),
    ]
    for page in pages:
        expect(page.locator("#status")).to_have_text(phone_text("waiting"))
        expect(page.locator('head meta[http-equiv="refresh"]')).to_have_attribute("content", "1; url=?lite=1&lang=id")
    act(live, session, "call-next")
    for page in pages:
        expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1", timeout=10_000)
        assert "lite=1" in page.url
        assert page.locator("script").count() == 0
        # as assert_without_script(page, live_ticket=True) finds it, the reload's 1 s aside
        expect(page.locator("#sound")).to_be_hidden()
        expect(page.locator("#lang-link")).to_have_attribute("href", "?lang=en&lite=1")
        expect(page.locator("#no-live")).to_have_text(word("page.phone.no_live", "id", seconds=PHONE_REFRESH_SECONDS))
        expect(page.locator('head meta[http-equiv="refresh"]')).to_have_attribute("content", "1; url=?lite=1&lang=id")
    act(live, session, "start")
    act(live, session, "resolve")
    lite = requests.get(f"{live.url}/t/{mine['token']}?lite=1", timeout=5)
    full = requests.get(f"{live.url}/t/{mine['token']}", timeout=5)
    assert len(lite.content) * 4 < len(full.content), (len(lite.content), len(full.content))


def test_with_its_script_the_phone_page_has_no_reload_and_no_fallback(phones, live, session):
    mine = issue(live)
    page = phones(live, mine["token"])
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.querySelectorAll('meta[http-equiv=refresh]').length") == 0
    assert page.locator("noscript[data-fallback]").count() == 3  # left as they are (their text, never shown)
    expect(page.locator("#no-live")).to_have_count(0)
    expect(page.locator("#sound")).to_be_visible()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bno-module\b"))
    serve_all(live, session)


# -- the TV, the survey tablet, the kiosk -------------------------------------------------------------------


def message(page, key: str) -> None:
    """The page's message for a browser that cannot run it, in both languages, over the whole screen."""
    box = page.locator(".too-old:visible")
    expect(box).to_have_count(1)
    expect(box.locator("h1").first).to_have_text(word(key, "id"))
    expect(box.locator("h1[lang=en]")).to_have_text(word(key, "en"))
    expect(box.locator("p").first).to_be_visible()
    size = page.viewport_size
    assert box.bounding_box() == {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
    assert page.evaluate(
        "() => document.elementFromPoint(innerWidth / 2, innerHeight / 2).closest('.too-old') !== null"
    )


@pytest.mark.parametrize(
    ("path", "module", "prefix", "viewport"),
    [
        ("/display/", "**/display/static/display.js", "page.display", TV),
        ("/survey/", "**/kiosk/static/survey.js", "page.survey", {"width": 1280, "height": 800}),
        ("/kiosk/", "**/kiosk/static/kiosk.js", "page.kiosk", {"width": 1080, "height": 1920}),
    ],
)
def test_a_screen_that_cannot_run_its_script_tells_the_admin_what_to_do(browser, live, path, module, prefix, viewport):
    """Without script the TV showed an empty header ("Menghubungkan…", "--.--") for ever, the tablet and the
    kiosk a start button that did nothing."""
    off = browser.new_context(viewport=viewport, java_script_enabled=False)
    broken = browser.new_context(viewport=viewport)
    try:
        page = off.new_page()
        page.goto(live.url + path)
        message(page, f"{prefix}.no_script")
        expect(page.locator("#too-old")).to_be_hidden()
        page = broken.new_page()
        page.route(module, BROKEN["syntax"])
        page.goto(live.url + path)
        page.wait_for_load_state("load")
        message(page, f"{prefix}.too_old")
    finally:
        off.close()
        broken.close()


def test_a_tv_whose_browser_lacks_min_says_it_is_too_old_and_one_that_has_it_shows_no_message(browser, live):
    """Chromium 61-78 runs the module, but every size of the TV is min()/max() (79): it would show the calls at
    the browser's 16 px. It says so instead."""
    context = browser.new_context(viewport=TV)
    try:
        page = context.new_page()
        page.add_init_script(
            "const supports = CSS.supports.bind(CSS);"
            "CSS.supports = (p, v) => !/min\\(/.test(String(v)) && supports(p, v);"
        )
        page.goto(f"{live.url}/display/")
        page.wait_for_function("() => window.antrianDisplay")
        page.wait_for_load_state("load")
        message(page, "page.display.too_old")
        shot(page, "display-too-old")
        fine = context.new_page()
        fine.goto(f"{live.url}/display/")
        fine.wait_for_load_state("load")
        fine.wait_for_function("() => window.antrianDisplay")
        expect(fine.locator("#too-old")).to_be_hidden()
        expect(fine.locator(".too-old:visible")).to_have_count(0)
    finally:
        context.close()


# -- socket.io's script that did not come: not an old browser ------------------------------------------------


def socket_script_missing_once(page) -> list[str]:
    """socket.io's script does not come the first time the page asks (the server restarting as the screen
    loads); after that it does. Returns the methods of the requests for it, in order."""
    asked: list[str] = []

    def handle(route):
        asked.append(route.request.method)
        if len(asked) == 1:
            route.abort()
        else:
            route.continue_()

    page.route("**/static/vendor/socket.io.min.js", handle)
    return asked


def test_a_tv_whose_socket_script_did_not_come_says_it_is_connecting_and_loads_itself_again(browser, live, session):
    """The server restarted as the TV box booted: display.js stopped at window.io and fallback.js called the
    browser too old, for ever. Now the TV says "Menghubungkan…" as while the server is away, asks for the script
    every 30 s, and once it answers loads itself again, live."""
    context = browser.new_context(viewport=TV)
    try:
        page = context.new_page()
        page.clock.install()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        asked = socket_script_missing_once(page)
        page.goto(f"{live.url}/display/")
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.antrianDisplay")
        expect(page.locator("#status-badge")).to_have_text(word("display.connecting", "id"))
        expect(page.locator("html")).not_to_have_class(re.compile(r"\bno-module\b"))  # fallback.js stayed quiet
        expect(page.locator(".too-old:visible")).to_have_count(0)
        expect(page.locator('.counter[data-counter="1"]')).to_be_visible()  # the TV as it is while connecting
        assert errors == [] and asked == ["GET"]
        page.clock.run_for(31_000)
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
        assert asked == ["GET", "HEAD", "GET"]  # asked once, answered, the page loaded again with it
        mine = issue(live)
        act(live, session, "call-next")
        expect(page.locator('.counter[data-counter="1"] .ticket-label')).to_have_text(mine["label"])
        expect(page.locator(".too-old:visible")).to_have_count(0)
        assert errors == []
        act(live, session, "start")
        act(live, session, "resolve")
    finally:
        context.close()


def test_a_phone_whose_socket_script_did_not_come_says_it_is_not_live_and_loads_itself_again(phones, live, session):
    """The page stayed as drawn, never showing the call, and never said so."""
    mine = issue(live)
    holder: dict[str, list[str]] = {}

    def before(page):
        page.clock.install()
        holder["asked"] = socket_script_missing_once(page)

    page = phones(live, mine["token"], before=before)
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.antrianPhone")
    expect(page.locator("#conn")).to_have_text(phone_text("conn_lost"))
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bno-module\b"))
    act(live, session, "call-next")
    page.clock.run_for(31_000)
    # the page reloads itself: its new document has no antrianPhone until its module ran (a ReferenceError is no retry)
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    assert holder["asked"] == ["GET", "HEAD", "GET"]
    expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")
    expect(page.locator("#conn")).to_have_text("")
    act(live, session, "start")
    act(live, session, "resolve")


def test_the_served_tickets_note_on_the_lite_page_leads_back_to_the_survey(phones, live, session):
    """A modern phone whose module failed once on patchy data goes on as ?lite=1 (no script, no survey) and was
    left with "needs a newer browser" for good. The note is a link to the page with its script, the survey open."""
    mine = issue(live)
    for action in ("call-next", "start", "resolve"):
        act(live, session, action)
    page = phones(live, mine["token"], before=lambda p: None, query="?lite=1&lang=en")
    assert page.locator("script").count() == 0
    link = page.locator("#no-live-survey a")
    expect(link).to_have_text(word("page.phone.no_survey", "en"))
    expect(link).to_have_attribute("href", "?survey=1&lang=en")
    link.click()
    page.wait_for_url(f"{live.url}/t/{mine['token']}?survey=1&lang=en")
    expect(page.locator("#survey-form")).to_be_visible()
    expect(page.locator("#survey-title")).to_have_text(word("survey.title", "en"))
    expect(page.locator("#no-live-survey")).to_have_count(0)  # in its <noscript>, as text: never shown
