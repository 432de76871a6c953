"""An officer's login is not held up by strangers' password guesses (device cookies, server/auth.py DeviceTrust).

Passwords are checked one at a time (scrypt, about 0.1 s). Before, every check waited in one line, first come
first served: 100 addresses sending one wrong password each at once made an officer's login wait 10 s. Now a
browser where the account logged in holds a signed device cookie, and its checks go ahead; the others wait in a
bounded line, and past it are refused at once (429 login_busy), counted nowhere."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
import zlib

import pytest
from conftest import add_user, login, write_config
from live import LiveServer
from playwright.sync_api import expect

from server.auth import DEVICE_AT_ONCE, DEVICE_COOKIE, DEVICE_DAYS, DEVICE_FAILURES
from server.passwords import CHECKS_WAITING

PASSWORD = "rahasia-123"
BUSY_ID = "Server sedang sibuk memeriksa kata sandi. Coba lagi sebentar lagi."
BUSY_EN = "The server is busy checking passwords. Try again in a moment."


def post_login(port: int, source: str, username: str, password: str, cookie: str = "", lang: str = "id") -> dict:
    """POST /api/login from the address `source` (all of 127/8 is loopback): its status, body, Set-Cookie headers
    and the moment (perf_counter) its answer came."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        body = json.dumps({"username": username, "password": password})
        headers = {"Content-Type": "application/json", "X-Lang": lang, **({"Cookie": cookie} if cookie else {})}
        conn.request("POST", "/api/login", body=body, headers=headers)
        resp = conn.getresponse()
        data = json.loads(resp.read() or b"null")
        cookies = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
        return {"status": resp.status, "body": data, "cookies": cookies, "at": time.perf_counter()}
    finally:
        conn.close()


def device_cookie(answer: dict) -> str:
    """The device cookie an answer set, as a Cookie header sends it back ("antrian_device=…")."""
    return next(c.split(";", 1)[0] for c in answer["cookies"] if c.startswith(DEVICE_COOKIE + "="))


class Guessers:
    """`n` addresses (127.<net>.0.1 onwards) each sending one wrong password for `username` at the same moment;
    with `keep`, each refused busy sends it again at once, until `stop` is set: the line of checks kept full."""

    def __init__(self, port: int, net: int, n: int, username: str, keep: bool = False):
        self.answers: list[dict] = []
        self.sent = 0
        self.keep = keep
        self.stop = threading.Event()
        self.cond = threading.Condition()
        self.go = threading.Event()
        self.threads = [
            threading.Thread(target=self._guess, args=(port, f"127.{net}.{i // 250}.{i % 250 + 1}", username, i))
            for i in range(n)
        ]
        for t in self.threads:
            t.start()
        self.go.set()

    def _guess(self, port: int, source: str, username: str, i: int) -> None:
        self.go.wait()
        lang = "en" if i % 2 else "id"
        while True:
            try:
                answer = post_login(port, source, username, f"tebakan-{i}", lang=lang)
            except OSError as err:  # the server stopped at the test's end with this one still waiting
                answer = {"status": 0, "body": {"error": repr(err)}, "at": time.perf_counter()}
            answer["lang"] = lang
            with self.cond:
                self.answers.append(answer)
                self.cond.notify_all()
            if not self.keep or answer["status"] != 429 or self.stop.wait(0.005):
                return

    def until(self, done, what: str, timeout: float = 60.0) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: done(self.answers), timeout), f"{what}: {self.answers[:3]}"

    def join(self) -> None:
        for t in self.threads:
            t.join(60)


@pytest.fixture
def office(tmp_path):
    """A server of the test's own (its line of checks is the test's)."""
    server = LiveServer(write_config(tmp_path)).start()
    yield server
    server.stop()


def test_an_officers_login_from_her_own_pc_goes_ahead_of_a_hundred_addresses_guessing(office):
    """budi logged in at his PC before; then 100 addresses each send a wrong password for the admin at once. His
    next login there goes ahead of the strangers' checks: it is answered while those that wait are still waiting
    (before: after all of them, 10 s). The strangers past the bounded line are answered 429 login_busy at once."""
    office.add_user("kepala", "admin", scrypt=True)  # the production hash: what a guess costs is what is tested
    office.add_user("budi", "officer", scrypt=True)
    first = post_login(office.port, "127.0.0.2", "budi", PASSWORD)
    assert first["status"] == 200, first
    cookie = device_cookie(first)
    guessers = Guessers(office.port, 30, 100, "kepala")
    guessers.until(lambda a: len(a) >= 1, "no stranger was answered")  # the line is full: the checks go on
    sent = time.perf_counter()
    budi = post_login(office.port, "127.0.0.2", "budi", PASSWORD, cookie=cookie)
    took = budi["at"] - sent
    guessers.join()
    assert budi["status"] == 200, budi
    wrong = [a for a in guessers.answers if a["status"] == 401]
    after = [a for a in wrong if a["at"] > budi["at"]]
    # at most CHECKS_WAITING strangers wait; budi's check came before those waiting when his request came
    assert len(after) >= CHECKS_WAITING // 2, (
        f"budi's login was answered after {len(wrong) - len(after)} of the strangers' {len(wrong)} checks"
        f" ({took:.1f} s): it waited in their line"
    )
    assert took < 5, f"budi's login took {took:.1f} s"
    busy = [a for a in guessers.answers if a["status"] == 429]
    assert len(busy) + len(wrong) == 100 and len(busy) >= 50, [a["status"] for a in guessers.answers]
    for answer in busy:
        assert answer["body"]["error"] == "login_busy", answer
        assert answer["body"]["message"] == (BUSY_EN if answer["lang"] == "en" else BUSY_ID), answer
    assert device_cookie(budi) != cookie  # renewed at each login: a new entry, its own count of failures


def slow_hash(password: str) -> str:
    """A hash that takes some 4 s to check (werkzeug's PBKDF2, as the tests' cheap hash, at many rounds): a line of
    strangers' checks that lasts long enough for a browser to meet it (a check of a second freed a place in the line
    while a busy machine's browser was still at the login form, and its login waited there)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:10000000")


def test_a_new_browser_is_told_the_server_is_busy_and_the_officers_own_pc_logs_in(office, browser):
    """Strangers fill the line of password checks (an account whose checks are slow). A browser budi never logged
    in from is told at once, on the login page, that the server is busy checking passwords (in Indonesian, and in
    English after the switch); the refusals count as no failure (35 from one address, more than its 30); the PC
    where budi logged in before logs in, its check ahead of the strangers'."""
    office.add_user("kepala", "admin", hashed=slow_hash)
    office.add_user("budi", "officer")
    own = browser.new_context(locale="id-ID")
    answer = own.request.post(office.url + "/api/login", data={"username": "budi", "password": PASSWORD})
    assert answer.ok, answer.text()
    own.clear_cookies(name="session")  # the next morning: the session ended, the device cookie kept
    assert [c["name"] for c in own.cookies()] == [DEVICE_COOKIE]

    guessers = Guessers(office.port, 31, CHECKS_WAITING + 6, "kepala", keep=True)
    guessers.until(lambda a: any(x["status"] == 429 for x in a) or len(a) == len(guessers.threads), "none answered")
    assert [a["body"]["error"] for a in guessers.answers if a["status"] == 429][:1] == ["login_busy"], (
        "the strangers' line is never full: every check waits in it"
    )
    # one address, 35 tries at names that do not exist while the line is full: each refused at once, none
    # counted (30 failures close an address: the 31st would be login_throttled)
    tries = [post_login(office.port, "127.32.0.1", f"tidakada{i}", "salah-sekali") for i in range(35)]
    assert {(t["status"], t["body"]["error"]) for t in tries} == {(429, "login_busy")}

    stranger = browser.new_page(locale="id-ID")
    stranger.goto(office.url + "/counter/")
    stranger.fill("#login-form [name=username]", "budi")
    stranger.fill("#login-form [name=password]", PASSWORD)
    stranger.click("#login-form button[type=submit]")
    expect(stranger.locator("#login-error")).to_have_text(BUSY_ID)
    stranger.click("#lang-toggle")
    stranger.click("#login-form button[type=submit]")
    expect(stranger.locator("#login-error")).to_have_text(BUSY_EN)

    page = own.new_page()
    page.goto(office.url + "/counter/")
    page.fill("#login-form [name=username]", "budi")
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    # its check waits for a place among the checks under way (some 4 s each here, many times that on a machine
    # busy with other work: 30 s was passed once under a load of 16 on 2 cores)
    expect(page.locator("#officer-name")).to_have_text("budi", timeout=90_000)
    expect(page.locator("#login-error")).to_have_text("")
    guessers.stop.set()
    stranger.context.close()
    own.close()


def device_value(response) -> str:
    """The value of the device cookie a Flask test client's answer set."""
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "="))
    return header.split(";", 1)[0].split("=", 1)[1]


def cookie_entries(raw: str) -> list:
    """What a device cookie says, read without its key (itsdangerous: base64 JSON, zlib-compressed when "." leads)."""
    payload = raw.split("=", 1)[1].rsplit(".", 2)[0]
    compressed = payload.startswith(".")
    data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return json.loads(zlib.decompress(data) if compressed else data)["a"]


def test_the_device_cookie_names_the_account_holds_no_secret_and_helps_only_its_own_account(app, client):
    add_user(app, "budi", "officer")
    add_user(app, "kepala", "admin", password="rahasia-kepala")
    r = client.post("/api/login", json={"username": "budi", "password": PASSWORD})
    assert r.status_code == 200
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "="))
    attributes = {part.strip().split("=", 1)[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes, header
    assert "Path=/api/login" in header and "SameSite=Strict" in header and f"Max-Age={DEVICE_DAYS * 86400}" in header
    accounts = app.extensions["antrian"].accounts
    budi, kepala = accounts.user("budi"), accounts.user("kepala")
    [[uid, made, name]] = cookie_entries(header.split(";", 1)[0])
    assert (uid, made) == (budi["id"], budi["created_at"]) and len(name) >= 16  # no hash, no password
    devices = app.extensions["antrian.devices"]
    raw = device_value(r)
    key = devices.key(raw, budi)
    assert key is not None
    assert devices.key(raw, kepala) is None  # budi's cookie does nothing for a guess at the admin's password
    assert devices.key(raw[:-3] + ("AAA" if raw[-3:] != "AAA" else "BBB"), budi) is None  # changed: not signed
    from server.auth import DeviceTrust

    assert DeviceTrust("another-secret").key(raw, budi) is None  # made without this server's key
    # kepala logs in on the same PC: the cookie names both, each entry its own
    client.set_cookie(DEVICE_COOKIE, raw, path="/api/login")
    r = client.post("/api/login", json={"username": "kepala", "password": "rahasia-kepala"})
    raw2 = device_value(r)
    assert devices.key(raw2, kepala) is not None and devices.key(raw2, budi) == key


def test_a_stolen_cookie_goes_ahead_one_check_at_a_time_and_not_after_its_failures(app, client):
    """A copy of budi's cookie in a stranger's hands: one of its checks at a time goes ahead (the others wait as
    strangers'), two of budi's account whatever the cookies, and after DEVICE_FAILURES wrong passwords it is a
    stranger's; budi's next login gives his browser a new entry, which goes ahead again."""
    add_user(app, "budi", "officer")
    r = client.post("/api/login", json={"username": "budi", "password": PASSWORD})
    raw = device_value(r)
    devices = app.extensions["antrian.devices"]
    budi = app.extensions["antrian"].accounts.user("budi")
    key = devices.key(raw, budi)
    with devices.ahead(key, budi["id"]) as first:
        with devices.ahead(key, budi["id"]) as second:
            assert (first, second) == (True, DEVICE_AT_ONCE > 1)
        with devices.ahead(("cookie", "another"), budi["id"]) as other:
            assert other  # another browser of budi's: the account's second
            with devices.ahead(("cookie", "a third"), budi["id"]) as third:
                assert not third
    stolen = app.test_client()
    stolen.set_cookie(DEVICE_COOKIE, raw, path="/api/login")
    for i in range(DEVICE_FAILURES):
        with devices.ahead(key, budi["id"]) as ahead:
            assert ahead, i
        r = stolen.post("/api/login", json={"username": "budi", "password": f"tebakan-{i}"}, environ_base={
            "REMOTE_ADDR": f"10.0.0.{i + 10}"})  # fmt: skip
        assert r.status_code == 401
    with devices.ahead(key, budi["id"]) as ahead:
        assert not ahead  # spent: its checks wait with the strangers'
    r = client.post("/api/login", json={"username": "budi", "password": PASSWORD})
    renewed = device_value(r)
    with devices.ahead(devices.key(renewed, budi), budi["id"]) as ahead:
        assert ahead


def test_a_password_change_goes_ahead_on_its_session_as_a_login_on_its_cookie(app, client, monkeypatch):
    """POST /api/me/password checks the current password in the same line: its signed-in session goes ahead of the
    checks of other devices waiting, as a device cookie does; a login without a cookie is refused busy meanwhile."""
    import server.auth as auth

    h = login(app, client, "budi")
    checks = app.extensions["antrian.checks"]
    order: list[str] = []
    real = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda hashed, p: order.append(p) or real(hashed, p))
    release = threading.Event()

    def stranger(i: int) -> None:
        with checks.turn(False):
            order.append(f"stranger-{i}")
            if i == 0:
                release.wait(30)  # the check under way

    strangers = [threading.Thread(target=stranger, args=(i,)) for i in range(CHECKS_WAITING + 1)]
    strangers[0].start()
    wait_for(lambda: order == ["stranger-0"])
    for t in strangers[1:]:
        t.start()
    wait_for(lambda: checks.waiting() == (0, CHECKS_WAITING))
    r = app.test_client().post("/api/login", json={"username": "budi", "password": PASSWORD})
    assert (r.status_code, r.get_json()["error"]) == (429, "login_busy")  # a browser budi never logged in from
    answers = []
    change = threading.Thread(
        target=lambda: answers.append(
            client.post("/api/me/password", json={"current": PASSWORD, "new": "baru-12345"}, headers=h)
        )
    )
    change.start()
    wait_for(lambda: checks.waiting() == (1, CHECKS_WAITING))
    release.set()
    change.join(30)
    for t in strangers:
        t.join(30)
    assert answers[0].status_code == 200, answers[0].get_json()
    assert order[:2] == ["stranger-0", PASSWORD], order  # ahead of the eight waiting
    assert sorted(order[2:]) == [f"stranger-{i}" for i in range(1, CHECKS_WAITING + 1)]


def wait_for(done, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.005)
