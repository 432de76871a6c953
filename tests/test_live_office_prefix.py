"""Open pages follow two more of an admin's changes, in Chromium against a real server: the survey tablet a service's
new prefix with the same code (GET /api/state's services carry `prefix`), and a busy counter page the office's
new name in its header and tab title (from the staff snapshot the change brings)."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from playwright.sync_api import expect
from staffpages import admin_session, issue, put_settings, sign_in

PASSWORD = "rahasia-123"
OFFICE = "LPSE Kabupaten Contoh"


@pytest.fixture(scope="module")
def boss(live):
    """Not adminpages.boss: its officer is "sari", whose counter page the test opens (and its admin "kepala2")."""
    return admin_session(live, "kepala2", "sari")


def test_the_state_names_each_services_prefix(live, boss):
    services = requests.get(f"{live.url}/api/state", timeout=5).json()["services"]
    assert [(s["code"], s["prefix"]) for s in services] == [("A", "A"), ("B", "B"), ("C", "C")]
    changed = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    changed[2]["prefix"] = "R"
    put_settings(live, boss, "services", changed)
    services = requests.get(f"{live.url}/api/state", timeout=5).json()["services"]
    assert [(s["code"], s["prefix"]) for s in services] == [("A", "A"), ("B", "B"), ("C", "R")]


def test_the_survey_tablet_takes_a_new_prefix_of_the_same_service(browser, live, boss):
    """Service C's numbers become R-001, …: same code, same name. The tablet waiting at its start reloads within a
    minute, and its pad has R, not C (a visitor with R-001 could not type it)."""
    page = browser.new_page(viewport={"width": 800, "height": 1280}, has_touch=True)
    page.clock.install(time=datetime.now())
    page.goto(f"{live.url}/survey/")
    expect(page.locator(".bar-office")).to_have_text(OFFICE)
    page.evaluate("window.drawnBefore = true")
    page.wait_for_function("() => window.antrianSurvey && antrianSurvey.checked >= 1", polling=50)
    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    services[2]["prefix"] = "R"
    put_settings(live, boss, "services", services)
    page.clock.run_for(61_000)
    page.wait_for_function("() => window.drawnBefore === undefined", polling=50)
    page.tap("#start")
    expect(page.locator("[data-prefix]")).to_have_text(["A", "B", "R"])
    page.close()


def test_a_busy_counter_page_takes_the_offices_new_name_in_its_header(browser, live, boss):
    """A counter page serving a visitor reloads only after the ticket: its header ("LPSE Kabupaten Contoh" under
    "Loket Helpdesk") and its tab's title take the new name at once."""
    served = issue(live, "Rahmat", "A")
    page = sign_in(
        browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page(),
        live,
        "/counter/",
        "sari",
    )
    page.select_option("#counter-select", "1")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(served["label"])
    page.click("#btn-start")
    header = page.locator(".bar .brand .office")
    expect(header).to_have_text(OFFICE)
    assert page.title().endswith(" · " + OFFICE)
    page.evaluate("window.drawnBefore = true")
    put_settings(live, boss, "office", {"name": "LPSE Kota Baru"})
    expect(header).to_have_text("LPSE Kota Baru")
    page.wait_for_function("() => document.title.endsWith(' · LPSE Kota Baru')", polling=50)
    assert page.evaluate("window.drawnBefore") is True  # no reload: the visitor's page stays
    page.context.close()
