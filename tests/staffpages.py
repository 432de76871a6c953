"""What the live staff-page tests share: a ticket from the kiosk's API and a login on a staff page."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

PASSWORD = "rahasia-123"


def issue(live, name: str, service: str = "A") -> dict:
    """A ticket of `service` for visitor `name`, taken as the kiosk takes it; the server's ticket."""
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={
            "service": service,
            "name": name,
            "agency": "CV Maju Bersama",
            "address": "Jl. Sudirman No. 12",
            "phone": "081234567890",
            "problem": f"{name}: lupa kata sandi akun penyedia SPSE",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def sign_in(page, live, path: str | None, username: str, check_name: bool = True):
    """Log in on `path` (None: the page already open); by default wait for the name and the live socket."""
    if path is not None:
        page.goto(live.url + path)
    page.fill("#login-form [name=username]", username)
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    if check_name:
        expect(page.locator("#officer-name")).to_have_text(username)
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    return page
