"""Security headers on every response (a strict Content-Security-Policy, no framing, no sniffing, no
referrer), and every page working under that policy in real Chromium: not one "Refused to ..."."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import requests
from conftest import until_on_page, write_config
from live import LiveServer
from playwright.sync_api import expect

from server.security import COMEBACK_SCRIPT

PASSWORD = "rahasia-123"
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_security_headers(resp, where: str) -> None:
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value, (where, name, resp.headers.get(name))
    csp = csp_directives(resp.headers.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == ["'self'"], (where, csp)
    assert csp.get("frame-ancestors") == ["'none'"], (where, csp)
    assert csp.get("object-src") == ["'none'"], (where, csp)
    assert csp.get("style-src") == ["'self'"], (where, csp)  # no 'unsafe-inline'
    # no 'unsafe-inline', no 'unsafe-eval': the one inline script (server/templates/comeback.html) by its hash
    assert csp.get("script-src") == ["'self'", COMEBACK_SCRIPT], (where, csp)


def test_every_route_answers_with_the_security_headers(app, client):
    from conftest import login

    h = login(app, client, "kepala", "admin")
    token = client.post(
        "/api/tickets",
        json={
            "service": "A",
            "name": "Budi",
            "agency": "CV A",
            "address": "Jl. B",
            "phone": "081234567890",
            "problem": "Tes",
        },
    ).get_json()["ticket"]["token"]
    samples = {"token": token, "ref": "A-001", "counter_id": "1", "username": "kepala", "filename": "kiosk.js"}
    seen = 0
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples.get(m.group(1), "1"), rule.rule)
        if rule.endpoint.endswith("static"):
            path = {"static": "/static/vendor/socket.io.min.js"}.get(rule.endpoint, path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(path, method=method, headers=h)
            resp.close()
            where = f"{method} {path} -> {resp.status_code}"
            assert_security_headers(resp, where)
            # Nothing a browser keeps but the static files and the speech's sounds: the front office's
            # shared PC showed the day's visitors from its cache after a logout (the back button).
            kept = rule.endpoint.endswith("static") or rule.endpoint.startswith("api.tts_")
            if not kept or resp.status_code >= 400:
                assert resp.headers.get("Cache-Control") == "no-store", (where, resp.headers.get("Cache-Control"))
            seen += 1
    assert seen > 40
    for path in ("/no/such/page", "/api/no-such-route", "/kiosk/static/kiosk.css"):
        resp = client.get(path)
        resp.close()
        assert_security_headers(resp, path)
    assert_security_headers(client.delete("/api/state"), "405")
    assert_security_headers(client.post("/api/tickets", data="not json"), "400")


# --- every page in real Chromium under the policy --------------------------------------------------

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };  // headless: count the calls instead of a dialog
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("csp")
    server = LiveServer(write_config(tmp)).start()
    server.add_user("kepala", "admin")
    server.add_user("budi", "officer")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def resolved(office):
    """A visitor served and resolved (for the A4 form page), and another one waiting."""
    visitor = {"service": "A", "name": "Budi", "agency": "CV A", "address": "Jl. B", "phone": "081234567890"}
    first = requests.post(f"{office.url}/api/tickets", json={**visitor, "problem": "Tes"}, timeout=5).json()
    requests.post(f"{office.url}/api/tickets", json={**visitor, "problem": "Kedua"}, timeout=5)
    officer = office.session("budi", PASSWORD)
    for action, body in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Sudah dijelaskan"})):
        r = officer.post(f"{office.url}/api/counters/1/{action}", json=body, timeout=5)
        assert r.status_code == 200, r.text
    return first["ticket"]


class Watched:
    """A page whose console and CSP violation events are collected."""

    def __init__(self, browser):
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="id-ID", init_scripts=(WATCH,)
        )
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda msg: self.console.append(msg.text))
        self.requests: list[str] = []
        self.in_flight: set = set()
        self.sockets: list[str] = []
        self.page.on("request", self._sent)
        self.page.on("requestfinished", lambda request: self.in_flight.discard(request))
        self.page.on("requestfailed", lambda request: self.in_flight.discard(request))
        self.page.on("websocket", lambda ws: self.sockets.append(ws.url))

    def _sent(self, request) -> None:
        self.requests.append(request.url)
        self.in_flight.add(request)

    def visit(self, url: str) -> None:
        self.sockets.clear()
        self.since = len(self.requests)
        resp = self.page.goto(url)
        assert "default-src 'self'" in resp.headers.get("content-security-policy", ""), url
        self.page.wait_for_load_state("load")
        self.settle(url)

    def settle(self, url: str, timeout: float = 10.0) -> None:
        """Until the page's start is over: every request it made answered (its scripts' fetches, images,
        sounds) and, on a page with a live socket, the socket moved on to its WebSocket (whose address
        the policy must allow). The policy refuses at the moment a page tries, so then all was tried."""
        # A page whose own scripts loaded the Socket.IO client and polled: the page before may still send
        # its last poll while this one loads (the dashboard, which has no socket, waited for one).
        live = any("/socket.io/" in u for u in self.requests[self.since :]) and self.page.evaluate(
            "() => typeof io === 'function'"
        )
        until_on_page(
            self.page,
            lambda: not self.in_flight and (self.sockets or not live),
            lambda: f"{url}: still loading {self.in_flight}, sockets {self.sockets}",
            timeout,
        )

    def violations(self) -> list[str]:
        refused = [m for m in self.console if "Refused to" in m or "Content Security Policy" in m]
        try:
            events = self.page.evaluate("window.__csp")
        except Exception:  # noqa: BLE001  (a page closing)
            events = []
        return refused + events

    def close(self) -> None:
        self.context.close()


def test_public_pages_run_under_the_policy(browser, office, resolved):
    w = Watched(browser)
    try:
        w.visit(f"{office.url}/kiosk/")
        expect(w.page.locator("#screen-welcome")).to_be_visible()
        qr = "/kiosk/qr.svg?data=" + quote(resolved["status_url"], safe="")
        w.page.evaluate("(src) => { const img = document.getElementById('ticket-qr'); img.src = src; }", qr)
        w.page.wait_for_function("() => document.getElementById('ticket-qr').complete", polling=50)
        assert w.page.evaluate("document.getElementById('ticket-qr').naturalWidth") > 0
        w.visit(f"{office.url}/display/")
        w.page.wait_for_function("() => antrianDisplay.state.synced", polling=50)  # a call now is announced
        officer = office.session("budi", PASSWORD)
        assert officer.post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5).status_code == 200
        w.page.wait_for_function("() => window.__csp !== undefined", polling=50)
        # the call's chime and speech are fetched and played as media: both tried, both fetched
        w.page.wait_for_function(
            "() => antrianDisplay.log.length && antrianDisplay.log[0].parts.some((p) => p.kind === 'speech')",
            polling=50,
        )
        w.settle("the call")
        assert any(url.endswith("/chime.wav") for url in w.requests), w.requests
        assert any("/api/tts/" in url for url in w.requests), w.requests
        w.visit(f"{office.url}/t/{resolved['token']}")
        w.visit(f"{office.url}/t/no-such-token")
        w.visit(f"{office.url}/survey/?t={resolved['token']}")  # the survey's tablet, on a served ticket
        expect(w.page.locator("#screen-question")).to_be_visible()
        assert w.violations() == []
    finally:
        w.close()


def test_staff_pages_run_under_the_policy_and_their_print_buttons_work(browser, office, resolved):
    w = Watched(browser)
    try:
        w.visit(f"{office.url}/counter/")
        w.page.fill("#login-form [name=username]", "kepala")
        w.page.fill("#login-form [name=password]", PASSWORD)
        w.page.click("#login-form button[type=submit]")
        expect(w.page.locator("#officer-name")).to_have_text("kepala")
        for path in (
            "/counter/front",
            "/counter/escalations",
            "/counter/complaints",
            "/counter/admin",
            "/counter/dashboard",
        ):
            w.visit(office.url + path)
            assert w.violations() == [], path
        w.visit(office.url + "/counter/skm")  # the SKM report (A4): its chart is SVG in the page, no script
        w.page.get_by_role("button", name="Cetak", exact=True).click()
        assert w.page.evaluate("window.__printed") == 1
        assert w.page.evaluate("getComputedStyle(document.querySelector('table.skm')).borderCollapse") == "collapse"
        assert w.violations() == []
        for path in ("/counter/recap", f"/counter/form/{resolved['token']}"):
            w.visit(office.url + path)
            w.page.get_by_role("button", name="Cetak", exact=True).click()
            assert w.page.evaluate("window.__printed") == 1, path
            assert w.violations() == [], path
        # the pages are laid out by their style sheets (moved out of the HTML), not unstyled
        assert w.page.evaluate("getComputedStyle(document.querySelector('.toolbar')).textAlign") == "right"
        w.visit(office.url + "/counter/recap")
        assert w.page.evaluate("getComputedStyle(document.querySelector('table.recap')).borderCollapse") == "collapse"
        assert w.violations() == []
    finally:
        w.close()
