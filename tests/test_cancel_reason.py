"""Why the front office cancelled a number: `reason` of POST /api/tickets/<ref>/cancel (optional; no body still
cancels), checked as every typed text, kept in the `cancelled` event's data, said to the staff (the cancel's answer,
the front office's list, the live event, the guest book and the recap in every format, the month's archive) and never
to a page without a login (the public snapshot and events, the phone's ticket)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from datetime import UTC, datetime

import pytest
from conftest import login, visitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import archive
from server.realtime import public_message, staff_message

DAY = "2026-11-28"  # the tests' clock starts at 09:00 WIB on this day (conftest.Clock)
LIMIT = 200  # server.forms.LIMITS["reason"]
B = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"


def issue(app, name="Budi Santoso", **changes):
    r = app.test_client().post("/api/tickets", json=visitor(name=name, **changes))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]


def cancel(client, headers, label, body=None, lang="id"):
    return client.post(f"/api/tickets/{label}/cancel?lang={lang}", headers=headers, json=body)


def listed(client, label):
    return next(x for x in client.get("/api/tickets").get_json()["tickets"] if x["label"] == label)


def test_the_reason_is_kept_for_the_staff_and_never_told_to_a_page_without_a_login(app, client, service):
    front = login(app, client, "rina", "frontoffice")
    mine = issue(app)
    reason = "Nomor ganda: sudah punya A-001"
    service.events.clear()
    r = cancel(client, front, mine["label"], {"reason": "  Nomor  ganda:\tsudah punya A-001 ", "request_id": "c-1"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["ticket"]["status"] == "cancelled"
    assert r.get_json()["ticket"]["cancel_reason"] == reason  # one line, its spaces one, trimmed
    # the same request again (a lost answer retried): the same answer, nothing cancelled twice
    again = cancel(client, front, mine["label"], {"reason": "other words", "request_id": "c-1"})
    assert again.status_code == 200 and again.get_json()["ticket"]["cancel_reason"] == reason
    # kept in the event, and said to the staff: the front office's list, the live event, the ticket's history
    assert listed(client, mine["label"])["cancel_reason"] == reason
    (event,) = [e for e in service.events if e["type"] == "cancelled"]
    assert event["data"]["reason"] == reason
    assert staff_message(event)["ticket"]["cancel_reason"] == reason
    assert staff_message(event)["data"]["reason"] == reason
    history = client.get(f"/api/tickets/{mine['label']}/history").get_json()
    assert [e["data"].get("reason") for e in history["events"] if e["type"] == "cancelled"] == [reason]
    # never to the TV, the kiosk or the visitor's phone: the public event, the public state, the phone's ticket
    assert "ganda" not in json.dumps(public_message(event))
    anonymous = app.test_client()
    assert "ganda" not in anonymous.get("/api/state").get_data(as_text=True)
    phone = anonymous.get(f"/api/tickets/{mine['token']}")
    assert phone.status_code == 200 and phone.get_json()["ticket"]["status"] == "cancelled"
    assert "ganda" not in phone.get_data(as_text=True)
    assert "ganda" not in json.dumps(service.snapshot(), default=str)  # the socket's public snapshot


def test_no_body_still_cancels_and_an_empty_reason_is_none(app, client):
    front = login(app, client, "rina", "frontoffice")
    first, second = issue(app), issue(app, name="Sari", phone="081299998888")
    r = client.post(f"/api/tickets/{first['label']}/cancel", headers=front)  # as before: no body at all
    assert r.status_code == 200 and r.get_json()["ticket"]["cancel_reason"] is None
    r = cancel(client, front, second["label"], {"reason": "   "})
    assert r.status_code == 200 and r.get_json()["ticket"]["cancel_reason"] is None
    assert [listed(client, x["label"])["cancel_reason"] for x in (first, second)] == [None, None]
    events = client.get(f"/api/tickets/{second['label']}/history").get_json()["events"]
    assert [e["data"] for e in events if e["type"] == "cancelled"][0].get("reason") is None


@pytest.mark.parametrize(
    "raw,said_id,said_en",
    [
        (
            json.dumps({"reason": "x" * (LIMIT + 1)}),
            "Terlalu panjang: paling banyak 200 karakter; yang diketik 201.",
            "Too long: at most 200 characters; this has 201.",
        ),
        (json.dumps({"reason": "pulang\x1b[2J"}), "Mengandung karakter yang tidak diizinkan.", None),
        (json.dumps({"reason": 7}), "Harus berupa teks.", "Must be text."),
        ('{"reason": "a\\ud800b"}', "Mengandung karakter yang tidak sah", None),
    ],
)
def test_a_bad_reason_is_a_422_naming_the_field_in_both_languages_and_nothing_is_cancelled(
    app, client, raw, said_id, said_en
):
    front = login(app, client, "rina", "frontoffice")
    mine = issue(app)
    headers = {**front, "Content-Type": "application/json"}
    for lang, said in (("id", said_id), ("en", said_en)):
        r = client.post(f"/api/tickets/{mine['label']}/cancel?lang={lang}", headers=headers, data=raw)
        assert r.status_code == 422, r.get_json()
        body = r.get_json()
        assert body["error"] == "cancel_reason_invalid" and set(body["fields"]) == {"reason"}
        if lang == "id":
            assert body["message"].startswith("Alasan pembatalan (reason) tidak dapat disimpan: ")
            assert body["message"].endswith(" Nomor antrian belum dibatalkan.")
        else:
            assert body["message"].startswith("The cancellation reason (reason) cannot be saved: ")
            assert body["message"].endswith(" The number is not cancelled.")
        if said:
            assert said in body["message"] and body["fields"]["reason"].startswith(said)
    assert listed(client, mine["label"])["status"] == "waiting"  # nothing cancelled


def _kept(value: str) -> str | None:
    """What the project's cleaning of one line of typed text keeps of `value` (None: nothing, or refused)."""
    return unicodedata.normalize("NFC", " ".join(value.split()))


def _refused(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    kept = _kept(value)
    return len(kept) > LIMIT or any(unicodedata.category(ch) == "Cc" for ch in kept)


REASONS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=LIMIT - 5, max_size=LIMIT + 5),
    st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u3000\x00\x1b\x7fé\u0301e{}<>&\"'=;"), max_size=30),
    st.sampled_from(["Pengunjung pulang / tidak jadi", "Nomor ganda", "Salah layanan (diambil ulang)", "=1+1"]),
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(reason=REASONS)
def test_any_reason_is_refused_with_a_422_or_kept_and_shown_exactly(app, client, reason):
    """Whatever is typed: refused (422 naming `reason`, the ticket still waiting) or the ticket cancelled with the
    text as the project keeps one line of text (trimmed, its whitespace runs one space, NFC), which the front
    office's list and the guest book then say as it is."""
    if not hasattr(app, "_front"):
        app._front = login(app, client, "rina", "frontoffice")
        app._n = 0
    app._n += 1
    mine = issue(app, phone=f"0812{app._n:08d}")
    r = cancel(client, app._front, mine["label"], {"reason": reason})
    if _refused(reason):
        assert r.status_code == 422, (reason, r.get_json())
        assert set(r.get_json()["fields"]) == {"reason"}
        assert listed(client, mine["label"])["status"] == "waiting"
        assert cancel(client, app._front, mine["label"]).status_code == 200  # out of the line for the next one
        return
    assert r.status_code == 200, (reason, r.get_json())
    kept = _kept(reason) or None
    assert r.get_json()["ticket"]["cancel_reason"] == kept
    assert listed(client, mine["label"])["cancel_reason"] == kept
    rows = client.get(f"/api/guestbook?from={DAY}&to={DAY}").get_json()["rows"]
    remarks = next(x["Keterangan"] for x in rows if x["No. Antrian"] == mine["label"])
    assert remarks == (f"dibatalkan (alasan: {kept})" if kept else "dibatalkan")


def test_the_guest_book_the_recap_and_the_months_archive_say_why(app, client, clock, tmp_path):
    """The guest book's Keterangan of a cancelled visitor says why, in JSON, CSV, XLSX and the month's archive; the
    recap's row of a visitor served, sent on to another service and cancelled there says it too. A cancel without a
    reason reads "dibatalkan" as before."""
    from openpyxl import load_workbook

    front_client = app.test_client()
    front = login(app, front_client, "rina", "frontoffice")
    budi = login(app, client, "budi")  # Loket 1 (A, C)
    served = issue(app, name="Ani")
    for action, payload in (("call-next", {}), ("start", {}), ("transfer", {"service": "B", "note": "ke B"})):
        clock.advance(minutes=1)
        assert client.post(f"/api/counters/1/{action}", json=payload, headers=budi).status_code == 200
    left, plain = issue(app, name="Bayu", phone="081211112222"), issue(app, name="Citra", phone="081233334444")
    for ticket, body in (
        (served, {"reason": "Pengunjung pulang / tidak jadi"}),
        (left, {"reason": "=Nomor ganda"}),  # text a spreadsheet would run as a formula
        (plain, None),
    ):
        clock.advance(minutes=1)
        assert cancel(front_client, front, ticket["label"], body).status_code == 200
    expected = [
        (served["label"], f"dialihkan ke {B}; dibatalkan (alasan: Pengunjung pulang / tidak jadi)"),
        (left["label"], "dibatalkan (alasan: =Nomor ganda)"),
        (plain["label"], "dibatalkan"),
    ]
    url = f"/api/guestbook?from={DAY}&to={DAY}"
    rows = front_client.get(url).get_json()["rows"]
    assert [(x["No. Antrian"], x["Keterangan"]) for x in rows] == expected
    text = front_client.get(url + "&format=csv").data.decode("utf-8-sig")
    assert [(x["No. Antrian"], x["Keterangan"]) for x in csv.DictReader(io.StringIO(text))] == expected
    sheet = load_workbook(io.BytesIO(front_client.get(url + "&format=xlsx").data)).active
    assert [(row[3].value, row[9].value) for row in sheet.iter_rows(min_row=5)] == expected

    recap = front_client.get(f"/api/recap?from={DAY}&to={DAY}").get_json()["rows"]
    assert [(x["No. Antrian"], x["Keterangan"]) for x in recap] == [
        (served["label"], f"Pertanyaan; Dialihkan ke {B}, lalu dibatalkan (alasan: Pengunjung pulang / tidak jadi)")
    ]
    text = front_client.get(f"/api/recap?from={DAY}&to={DAY}&format=csv").data.decode("utf-8-sig")
    assert [x["Keterangan"] for x in csv.DictReader(io.StringIO(text))] == [recap[0]["Keterangan"]]

    service = app.extensions["antrian"]
    clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    names = {s.code: s.name for s in service.settings.services}
    made = archive.make_month_archive(
        service.store, "2026-11", "LPSE X", tmp_path, tz=service.settings.office.tz, services=names
    )
    with zipfile.ZipFile(made.path) as zf:
        guests = list(csv.DictReader(io.StringIO(zf.read("bukutamu-2026-11.csv").decode("utf-8-sig"))))
        names_in = zf.namelist()
        recap_csv = next(n for n in names_in if n.startswith("rekap") and n.endswith(".csv"))
        recap_rows = list(csv.DictReader(io.StringIO(zf.read(recap_csv).decode("utf-8-sig"))))
    assert [(x["No. Antrian"], x["Keterangan"]) for x in guests] == expected
    assert [x["Keterangan"] for x in recap_rows] == [recap[0]["Keterangan"]]
