"""What the admin-change modules share: the module's admin (`boss`), every settings section a test changed put back
after it (`restore_settings`, autouse where a module takes it), the settings read back, and the admin page's inputs
and their error lines.

A module takes the fixtures by name, as `from adminpages import boss as boss` (the `as`: ruff then keeps an import
whose name only the tests' arguments use, without a noqa on each of them); the autouse one only where every test of
the module has a live server to put back.
"""

from __future__ import annotations

import pytest
from staffpages import admin_session, settings_kept


@pytest.fixture(scope="module")
def boss(live):
    """The API session of the module's admin "kepala" (an officer "budi" beside it): its changes and clean-up. A
    session of its own (live.session): a page a test opens, as "kepala" too, is told of its changes as another
    admin's (a page is not told of its own)."""
    return admin_session(live, "kepala", "budi")


@pytest.fixture(autouse=True)
def restore_settings(live, boss):
    """Every settings section a test changed, put back after it: a module's tests share one live server."""
    with settings_kept(live, boss):
        yield


def settings(live, boss) -> dict:
    """Every settings section as GET /api/admin/settings answers them."""
    return boss.get(f"{live.url}/api/admin/settings", timeout=5).json()


def key(page, name: str):
    """The admin page's input of the setting `name` ("office.name")."""
    return page.locator(f'[data-key="{name}"]')


def error_at(scope, name: str):
    """The error line under the input `name` in `scope` (the page, or one of its forms)."""
    return scope.locator(f'.field-error[data-for="{name}"]')
