"""Dates from outside are exactly YYYY-MM-DD (issue 11, finding 8): date.fromisoformat() also takes
week dates, ordinal dates, the compact form and, on Python 3.11, text after a compact date."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import login, write_config
from live import server_command

from server.archive import ArchiveError, month_range
from server.forms import parse_day

NOT_DAYS = {
    "week-date": "2026-W49-2",
    "week-date-compact": "2026W492",
    "week": "2026-W49",
    "ordinal-date": "2026-335",
    "compact": "20261201",
    "compact-with-junk": "20261201xx",
    "trailing-junk": "2026-12-01x",
    "trailing-newline": "2026-12-01\n",
    "no-such-day": "2026-02-30",
    "month-13": "2026-13-01",
    "year-0": "0000-12-01",
    "fullwidth-digits": "\uff12\uff10\uff12\uff16-\uff11\uff12-\uff10\uff11",
    "arabic-indic-digits": "\u0662\u0660\u0662\u0666-12-01",
    "one-digit-day": "2026-12-1",
    "with-time": "2026-12-01T00:00",
}


@pytest.mark.parametrize("value", NOT_DAYS.values(), ids=NOT_DAYS.keys())
def test_parse_day_takes_only_yyyy_mm_dd(value):
    assert parse_day(value) is None


def test_parse_day_takes_real_days():
    assert parse_day("2026-12-01").isoformat() == "2026-12-01"
    assert parse_day("2028-02-29").isoformat() == "2028-02-29"


@pytest.fixture
def staff(app, client):
    return login(app, client, "budi", "frontoffice")


@pytest.mark.parametrize("path", ["/api/recap", "/api/figures"])
@pytest.mark.parametrize("value", NOT_DAYS.values(), ids=NOT_DAYS.keys())
def test_the_api_refuses_dates_that_are_not_yyyy_mm_dd(client, staff, path, value):
    v = quote(value)
    r = client.get(f"{path}?from={v}&to={v}", headers=staff)
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert body["error"] == "form_incomplete" and set(body["fields"]) == {"from", "to"}
    r = client.get(f"{path}?from=2026-12-01&to={v}", headers=staff)
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {"to"}


@pytest.mark.parametrize("path", ["/counter/recap", "/counter/dashboard"])
@pytest.mark.parametrize("value", NOT_DAYS.values(), ids=NOT_DAYS.keys())
def test_the_report_pages_refuse_dates_that_are_not_yyyy_mm_dd(client, staff, path, value):
    r = client.get(f"{path}?from={quote(value)}&to=2026-12-01", headers=staff)
    assert r.status_code == 422, r.get_data(as_text=True)[:300]


@pytest.mark.parametrize("path", ["/api/recap", "/api/figures", "/counter/recap", "/counter/dashboard"])
def test_real_days_still_work(client, staff, path):
    assert client.get(f"{path}?from=2026-11-01&to=2026-11-30", headers=staff).status_code == 200


NOT_MONTHS = [
    "2026-W4",
    "202611",
    "2026-1",
    "+202-11",
    "2026-13",
    "2026-11x",
    "\uff12\uff10\uff12\uff16-11",
    "2026-\u0661\u0661",
]


@pytest.mark.parametrize("value", NOT_MONTHS)
def test_archive_month_is_exactly_yyyy_mm(value):
    with pytest.raises(ArchiveError, match="YYYY-MM"):
        month_range(value)


def test_archive_month_range():
    assert month_range("2028-02") == ("2028-02-01", "2028-02-29")


def test_the_archive_command_refuses_a_month_that_is_not_yyyy_mm(tmp_path):
    cfg = write_config(tmp_path)
    r = server_command(["archive", "--month", "+202-11", "--config", str(cfg)], timeout=60)
    assert r.returncode == 2 and "--month must be YYYY-MM" in r.stderr, r.stderr
    assert not (tmp_path / "data" / "archive").exists()
