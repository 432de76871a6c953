"""A live connection that dies without a word, with the page on its screen: the phone's Wi-Fi handed over, a router
that dropped the flow (the server restarted behind a NAT). No close reaches either end, and the page looked
current until Engine.IO's heartbeat said otherwise: engineio's 25 + 20 s, measured 43 s on the TV and, on the phone,
45 s and then minutes more (its reconnects went out on the browser's idle keep-alive connections, as dead, and
waited socket.io's 20 s timeout each). Meanwhile the visitor was called and the phone said "Menunggu". Now the
heartbeat notices within 14 s (server/realtime.py PING_INTERVAL_S) and a reconnect opens a WebSocket at once
(kiosk/static/phone.js rememberUpgrade); the snapshot brings the call. A real server process, real Chromium, and
between them a TCP proxy on 127.0.0.1 whose connections the test freezes. The heartbeat's seconds pass on the page's
clock (Playwright's page.clock), moved on by the heartbeat's most at the freeze; the rest is counted as it comes."""

from __future__ import annotations

import socket
import threading

import pytest
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import counter_actions, issue

NOTICED_MS = 20_000  # the heartbeat's 14 s at most, the reconnect and its snapshot; before: 43 s and more
HEARTBEAT_MS = 14_000  # of NOTICED_MS, moved on at once on the page's clock (its socket.io timers run on it)


class FrozenProxy:
    """A TCP proxy on 127.0.0.1 to `port`; `freeze()` silences every connection open at that moment, both ways and
    for good, with no close passed to either end (what comes is read and goes nowhere), as a network that is gone
    without a word; connections opened after it pass."""

    def __init__(self, port: int):
        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.flows: list[dict] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()  # the server out of reach: its connection goes too
                return
            upstream.settimeout(None)
            flow = {"ends": (client, upstream), "frozen": False}
            with self.lock:
                self.flows.append(flow)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(flow, src, dst), daemon=True).start()

    @staticmethod
    def _pump(flow: dict, src: socket.socket, dst: socket.socket) -> None:
        while True:
            try:
                data = src.recv(65536)
                if flow["frozen"]:
                    if not data:
                        return
                    continue
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
            except OSError:
                return

    def freeze(self) -> None:
        with self.lock:
            for flow in self.flows:
                flow["frozen"] = True

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for flow in self.flows:
                for end in flow["ends"]:
                    end.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("silent"))).start()
    server.add_user("petugas", "officer")
    yield server
    server.stop()


@pytest.fixture
def proxy(live):
    made = FrozenProxy(live.port)
    yield made
    made.close()


@pytest.fixture
def officer(live):
    act = counter_actions(live, "petugas")
    yield act
    act("start")
    act("resolve")


def test_a_phone_whose_connection_died_without_a_word_shows_the_call_within_seconds(browser, live, proxy, officer):
    mine = issue(live, "Sari Wulandari", "C")
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        context.add_init_script("window.__vibrations = []; navigator.vibrate = p => (__vibrations.push(p), true);")
        page = context.new_page()
        page.clock.install()
        page.goto(f"{proxy.url}/t/{mine['token']}")
        page.wait_for_function(
            "() => window.antrianPhone && antrianPhone.connected()"
            " && antrianPhone.socket.io.engine.transport.name === 'websocket'",
            polling=50,
        )
        proxy.freeze()  # the phone's every connection to the server: gone, unknown to both ends
        assert officer("call-next")["label"] == mine["label"]
        expect(page.locator("#status")).to_have_text("menunggu")  # the page cannot know yet
        page.clock.run_for(HEARTBEAT_MS)
        expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1", timeout=NOTICED_MS - HEARTBEAT_MS)
        expect(page.locator("#status")).to_have_text("dipanggil")
        page.wait_for_function("() => __vibrations.length === 1 && antrianPhone.connected()", polling=50)
    finally:
        context.close()


def test_a_tv_whose_connection_died_without_a_word_shows_the_call_within_seconds(browser, live, proxy, officer):
    mine = issue(live, "Sari Wulandari", "C")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(f"{proxy.url}/display/")
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
        proxy.freeze()
        assert officer("call-next")["label"] == mine["label"]
        tile = page.locator('.counter[data-counter="1"] .ticket-label')
        page.clock.run_for(HEARTBEAT_MS)
        expect(tile).to_have_text(mine["label"], timeout=NOTICED_MS - HEARTBEAT_MS)
        page.wait_for_function("() => antrianDisplay.state.status === 'online'", polling=50)
    finally:
        context.close()
