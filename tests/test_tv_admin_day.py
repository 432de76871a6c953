"""The waiting-room TV while an admin changes the office under it, as visitors 5 m away see it: a real server, Chromium
at 1920x1080 and on a cheap 1366x768 TV, both open all along.

Three counters call within a second; then the admin renames a counter and a service, adds a fourth service (a fourth
row of waiting counts, the latest calls' panel the shorter for it) numbered with a letter of its own ("P" for service
D), adds a fourth and a fifth counter (two columns of tiles) and renames the office; then a counter is removed once its
visitor is done, its call still among the latest (four counters: one column again). After each change the TVs show the
new names (none stale, on a tile, a row or the header) and keep the latest calls whole, and their tiles are drawn as on
a TV opened then. The waiting counts named service D by its code, "D", where its visitors held P-001; and as five
counters became four the tiles that stayed open kept their names over numbers two thirds of their size, fitted while
the removed counter's tile was still in the grid. At 1920x1080 the renamed "Meja Informasi" wrapped in
its row ("→ Meja / Informasi") and the row, a call still at its counter, was left out of the panel for want of a few
pixels, as much empty room under the two rows shown as it needed: its name now takes that room smaller (down to 1.6
units, display.js render) before the row gives way.
"""

from __future__ import annotations

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock
from staffpages import PASSWORD, put_settings
from test_display_readability import caught_up, new_page, open_display, state

SIZES = [(1920, 1080), (1366, 768)]
SETTINGS_RESYNC_MS = 10_000  # display.js: the snapshots of an admin's saves after the first come together, this late

ROWS = """() => {
  const panel = document.getElementById('recent').parentElement.getBoundingClientRect();
  return [...document.querySelectorAll('#recent li:not(.none)')].map((li) => {
    const to = li.querySelector('.to');
    return {
      label: li.querySelector('.label').textContent,
      to: to.textContent,
      px: parseFloat(getComputedStyle(to).fontSize),
      cut: to.scrollWidth > to.clientWidth + 0.5 || to.scrollHeight > to.clientHeight + 0.5,
      inside: li.getBoundingClientRect().bottom <= panel.bottom + 0.5,
    };
  });
}"""
# Each tile as drawn: its layout (its classes, but for a call's flash and outline) and its texts' sizes.
TILES = """() => [...document.querySelectorAll('.counter')].map((c) => ({
  id: c.dataset.counter,
  layout: [...c.classList].filter((n) => !['flash', 'lit', 'calling'].includes(n)).sort().join(' '),
  number: Math.round(parseFloat(getComputedStyle(c.querySelector('.ticket-label')).fontSize)),
  name: Math.round(parseFloat(getComputedStyle(c.querySelector('.counter-name')).fontSize)),
}))"""
LETTERS = "() => [...document.querySelectorAll('#waiting li .code')].map((e) => e.textContent)"
ROOM_UNDER = """() => {
  const panel = document.getElementById('recent').parentElement.getBoundingClientRect();
  const rows = document.querySelectorAll('#recent li');
  return panel.bottom - rows[rows.length - 1].getBoundingClientRect().bottom;
}"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # its TVs' clocks are moved on over the settings' resync (10 s at once): it never pings them (CALM_NUMBERS)
    cfg = write_config(tmp_path_factory.mktemp("tv-admin-day"), {"[tts]\nenabled = true": "[tts]\nenabled = false"})
    server = LiveServer(cfg, numbers=CALM_NUMBERS).start()
    server.add_user("kepala", "admin")
    for counter_id in (1, 2, 3):
        server.add_user(f"admin-day{counter_id}", "officer")
    yield server
    server.stop()


def test_an_admins_changes_reach_the_open_tvs_whole_and_no_call_at_its_counter_leaves_a_panel_with_room(
    browser, office
):
    server = office
    officers = {i: server.session(f"admin-day{i}", PASSWORD) for i in (1, 2, 3)}
    admin = server.session("kepala", PASSWORD)

    def act(counter_id, action, **payload):
        r = officers[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json=payload, timeout=5)
        assert r.status_code == 200, (counter_id, action, r.text)

    pages = {}
    try:
        for size in SIZES:
            page = new_page(browser, size)
            install_clock(page)  # the admin's later saves' snapshot (SETTINGS_RESYNC_MS) moved on, not waited for
            pages[size] = open_display(page, server)

        def changed(shown: str) -> None:
            """The admin's saves on every TV: the first one's snapshot at once, the later ones' together."""
            for page in pages.values():
                page.clock.fast_forward(SETTINGS_RESYNC_MS)
                page.wait_for_function(shown, polling=50)
                caught_up(page, server)

        def rows(size, when: str) -> list[dict]:
            where = f"{size[0]}x{size[1]}, {when}"
            found = pages[size].evaluate(ROWS)
            for row in found:
                assert row["px"] >= 24 and not row["cut"] and row["inside"], f"{where}: {row}"
            return found

        for service in "AABBC":
            assert requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).ok
        for counter_id in (1, 2, 3):
            act(counter_id, "call-next")
        for size, page in pages.items():
            caught_up(page, server)
            assert [r["label"] for r in rows(size, "three calls")] == ["B-001", "A-002", "A-001"]

        settings = admin.get(f"{server.url}/api/admin/settings", timeout=5).json()
        services, counters = settings["services"], settings["counters"]
        services[0]["name"] = "Konsultasi Penyedia Barang/Jasa"
        services.append({"code": "D", "name": "Pengaduan", "prefix": "P", "daily_quota": None})  # its numbers P-001
        put_settings(server, admin, "services", services)
        counters[0]["name"] = "Meja Informasi"
        counters[1]["services"] = [*counters[1]["services"], "D"]
        counters += [{**counters[2], "id": n, "name": f"Loket {n}"} for n in (4, 5)]
        put_settings(server, admin, "counters", counters)
        put_settings(server, admin, "office", {"name": "LPSE Kota Baru"})
        changed(
            "() => document.getElementById('office-name').textContent === 'LPSE Kota Baru'"
            " && document.querySelectorAll('#waiting li').length === 4"
            " && document.querySelector('.counter[data-counter=\"1\"] .counter-name').textContent === 'Meja Informasi'"
        )
        for size, page in pages.items():
            where = f"{size[0]}x{size[1]}, after the admin's changes"
            shown = rows(size, "after the admin's changes")
            assert all("Loket 1" not in r["to"] for r in shown), f"{where}: a stale name {shown}"
            assert all("Meja Informasi" in r["to"] for r in shown if r["label"] == "A-001"), f"{where}: {shown}"
            assert "Kota Baru" in page.inner_text("#marquee-text"), where
            assert page.evaluate(LETTERS) == ["A", "B", "C", "P"], f"{where}: the letters on the tickets"
            if size == (1920, 1080):
                # every call is still at its counter, and the panel has the room for the three
                assert [r["label"] for r in shown] == ["B-001", "A-002", "A-001"], (
                    f"{where}: a call at its counter left out, {page.evaluate(ROOM_UNDER):.0f} px empty under {shown}"
                )

        act(3, "start")
        act(3, "resolve", solution="Selesai.")
        put_settings(server, admin, "counters", [c for c in counters if c["id"] != 3])
        changed("() => !document.querySelector('.counter[data-counter=\"3\"]')")
        for size, page in pages.items():
            where = f"{size[0]}x{size[1]}, Loket 3 removed"
            shown = rows(size, "Loket 3 removed")
            assert [r["label"] for r in shown] == ["A-002", "A-001"], f"{where}: {shown}"
            assert page.locator(".counter").count() == 4, where
            fresh = open_display(new_page(browser, size), server)
            try:
                caught_up(fresh, server)
                for tv in (page, fresh):
                    tv.evaluate("() => document.fonts.ready")
                assert page.evaluate(TILES) == fresh.evaluate(TILES), f"{where}: not as on a TV opened now"
            finally:
                fresh.context.close()
        assert state(server)["seq"] == pages[SIZES[0]].evaluate("antrianDisplay.state.seq")
    finally:
        for page in pages.values():
            page.context.close()
