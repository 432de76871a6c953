"""The live connection's HTTP answers are kept in no browser's cache.

Socket.IO starts each page's connection with Engine.IO long-polling (HTTP GETs), upgraded to a WebSocket after: a
staff page's snapshot, with every visitor's name, phone, address and problem of the day, came in such a GET. Those
answers go around Flask, whose after_request gives every other answer `Cache-Control: no-store` (server/security.py),
and had none: Chromium kept them in its disk cache on the front office's shared PC (the profile's Cache/Cache_Data,
gzipped), the day's visitors there for whoever opened the profile's files after the logout. server/realtime.py
kept_nowhere gives them the same headers.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

import requests
from conftest import CHROMIUM, CHROMIUM_FLAGS, visitor
from staffpages import sign_in

NAME = "Zulkarnaen Qwertius"
PHONE = "081299998888"
PROBLEM = "Dokumen penawaran hilang xyzzy"
PASSWORD = "rahasia-123"
SECURITY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


def issue_marked(live) -> None:
    r = requests.post(f"{live.url}/api/tickets", json=visitor(name=NAME, phone=PHONE, problem=PROBLEM), timeout=5)
    assert r.status_code == 201, r.text


def assert_not_kept(resp: requests.Response, what: str) -> None:
    assert resp.headers.get("Cache-Control") == "no-store", (what, dict(resp.headers))
    for name, value in SECURITY.items():
        assert resp.headers.get(name) == value, (what, name, dict(resp.headers))


def test_a_staff_pages_long_polling_answers_carry_no_store_as_every_other_answer(live):
    live.add_user("rina_poll", "frontoffice")
    issue_marked(live)
    staff = live.session("rina_poll", PASSWORD)
    base = f"{live.url}/socket.io/?EIO=4&transport=polling"
    hello = staff.get(f"{base}&t=a", timeout=10)
    assert hello.status_code == 200, hello.text
    assert_not_kept(hello, "the handshake")
    sid = json.loads(hello.text[1:])["sid"]
    joined = staff.post(f"{base}&t=b&sid={sid}", data='40{"role":"frontoffice"}', timeout=10)
    assert joined.status_code == 200, joined.text
    assert_not_kept(joined, "the connect packet's POST")
    body = ""
    for n in range(5):  # the connect's answer, then the snapshot (one GET or two)
        got = staff.get(f"{base}&t=c{n}&sid={sid}", timeout=15)
        assert got.status_code == 200, got.text
        assert_not_kept(got, f"long-polling GET {n}")
        body += got.text
        if '"snapshot"' in body:
            break
    assert NAME in body and PHONE in body and PROBLEM in body  # what such an answer carries
    # a page without a login: its answers too (the same connection code)
    anonymous = requests.get(f"{base}&t=d", timeout=10)
    assert anonymous.status_code == 200
    assert_not_kept(anonymous, "an anonymous handshake")


def cache_entries(profile: Path) -> list[bytes]:
    """Each entry of the profile's HTTP disk cache (Chromium's simple cache: key, headers, body), its body gunzipped
    where it was stored gzipped."""
    out = []
    for path in (profile / "Default" / "Cache" / "Cache_Data").glob("*_0"):
        raw = path.read_bytes()
        start = raw.find(b"\x1f\x8b")
        if start >= 0:
            try:
                raw += zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw[start:])
            except (zlib.error, gzip.BadGzipFile):
                pass
        out.append(raw)
    return out


def test_the_front_office_pc_keeps_no_visitor_in_its_browsers_disk_cache(browser, live, tmp_path):
    """A real Chromium profile on disk, as on the front office's PC (the shared browser's contexts keep their cache
    in memory): the page signed in, live, showing the visitor; then closed. Its disk cache holds the page's static
    files, and nothing of the live connection."""
    live.add_user("rina_disk", "frontoffice")
    issue_marked(live)
    profile = tmp_path / "profile"
    launch = browser.browser_type.launch_persistent_context  # the shared fixture's Playwright, a browser of its own
    context = launch(str(profile), executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    try:
        page = context.new_page()
        sign_in(page, live, "/counter/front", "rina_disk")  # live: its snapshot came
        page.get_by_text(NAME).first.wait_for()
    finally:
        context.close()  # the cache's entries on disk
    entries = cache_entries(profile)
    # the cache was written: the page's script is in it (a cache that kept nothing would prove nothing)
    assert any(b"/static/vendor/socket.io.min.js" in e for e in entries), len(entries)
    polled = [m.group().decode() for e in entries if (m := re.search(rb"/socket\.io/\?EIO=[!-~]*", e))]
    assert polled == [], polled
    for marker in (NAME, PHONE, PROBLEM):
        assert not any(marker.encode() in e for e in entries), marker
