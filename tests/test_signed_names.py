"""The consultation form is signed by the officer who explained it (the SOP's *pemberi penjelasan*), with the full
name and NIP they had when the outcome was recorded (m027): an account renamed or given another NIP later changes
none of the A4 copies, printed copies, recap rows or monthly archives made before; a ticket kept before m027 is
signed as the account is now, as it always was."""

from __future__ import annotations

import csv
import io
import zipfile

from conftest import login, visitor, write_config
from fakeprinter import FakeNetworkPrinter

from server import archive
from server.app import create_app
from server.printing import PrintWorker

DAY = "2026-11-28"
NEXT_MONTH = "2026-12-02"  # the Clock's day advanced by four days
# an officer who marries and takes another name, and is given a new NIP with it
OLD_NAME, OLD_NIP, OLD_NIP_SAID = "Siti Rahmawati, S.Kom.", "198501012010012001", "19850101 201001 2 001"
NEW_NAME, NEW_NIP, NEW_NIP_SAID = "Siti Nurhaliza, M.Kom.", "198501012020122003", "19850101 202012 2 003"


def office(tmp_path, clock, printer: FakeNetworkPrinter | None = None):
    """The app (Loket 1 with a network printer when `printer`), an admin's client and the officer siti's, siti
    named OLD_NAME with OLD_NIP by the admin."""
    replace, extra = {}, ""
    if printer is not None:
        replace = {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'}
        extra = (
            f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
            'timeout = 1\nprofile = "TM-T20II"\n'
        )
    app = create_app(write_config(tmp_path, replace, extra), workers=False, clock=clock)
    admin = app.test_client()
    ah = login(app, admin, "kepala", "admin")
    siti = app.test_client()
    sh = login(app, siti, "siti")
    rename(admin, ah, "siti", OLD_NAME, OLD_NIP)
    return app, (admin, ah), (siti, sh)


def rename(admin, headers, username: str, full_name: str, nip: str) -> None:
    """The admin sets an account's full name and NIP (Ubah nama/NIP)."""
    r = admin.post(f"/api/admin/users/{username}/profile", json={"full_name": full_name, "nip": nip}, headers=headers)
    assert r.status_code == 200, r.get_json()


def serve(app, client, headers, outcome: str = "resolve", name: str = "Ani Wijaya", **payload) -> str:
    """A visitor takes a number and is called, served and resolved (or escalated) at Loket 1: its token."""
    token = app.test_client().post("/api/tickets", json=visitor(name=name)).get_json()["ticket"]["token"]
    body = payload or ({"solution": "Kata sandi direset."} if outcome == "resolve" else {"note": "Perlu LKPP."})
    for action, data in (("call-next", {}), ("start", {}), (outcome, body)):
        r = client.post(f"/api/counters/1/{action}", json=data, headers=headers)
        assert r.status_code == 200, (action, r.get_json())
        assert r.get_json()["ticket"]["token"] == token
    return token


def a4(client, token: str) -> str:
    return client.get(f"/counter/form/{token}").get_data(as_text=True)


def printed_copy(app, client, headers, printer: FakeNetworkPrinter, token: str) -> bytes:
    """The visitor's copy as Loket 1's printer received it."""
    printer.closed_by_client.clear()
    before = len(printer.received)
    assert client.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=headers).status_code == 202
    svc = app.extensions["antrian"]
    PrintWorker(svc, "loket1", svc.settings.printers["loket1"]).run_once()
    return bytes(printer.wait_for_close()[before:])


def petugas(client, headers) -> dict[str, str]:
    """The recap from DAY to NEXT_MONTH: visitor's name -> Petugas."""
    rows = client.get(f"/api/recap?from={DAY}&to={NEXT_MONTH}", headers=headers).get_json()["rows"]
    return {r["Nama"]: r["Petugas"] for r in rows}


def test_forms_recap_and_archive_keep_the_name_and_nip_they_were_signed_with(tmp_path, clock):
    printer = FakeNetworkPrinter()
    app = None
    try:
        app, (admin, ah), (siti, sh) = office(tmp_path, clock, printer)
        store = app.extensions["antrian"].store
        resolved = serve(app, siti, sh, name="Ani Wijaya")
        escalated = serve(app, siti, sh, "escalate", name="Bayu Pratama")  # the e-mail is off: no mail keeps it
        made = archive.make_month_archive(store, "2026-11", "LPSE X", tmp_path / "before")
        signed_then = made.path.read_bytes()
        with zipfile.ZipFile(made.path) as zf:  # the archive holds the signer, so it could differ
            rows = list(csv.DictReader(io.StringIO(zf.read("rekap-2026-11.csv").decode("utf-8-sig"))))
        assert {r["Nama"]: r["Petugas"] for r in rows} == {"Ani Wijaya": OLD_NAME, "Bayu Pratama": OLD_NAME}

        clock.advance(days=4)  # in December, her new name and NIP
        rename(admin, ah, "siti", NEW_NAME, NEW_NIP)
        # November's archive made again is the one made before, byte for byte
        again = archive.make_month_archive(store, "2026-11", "LPSE X", tmp_path / "after")
        assert again.path.read_bytes() == signed_then

        for token in (resolved, escalated):  # the A4 copy
            page = a4(siti, token)
            assert f"( {OLD_NAME} )" in page and f"NIP. {OLD_NIP_SAID}" in page, token
            assert NEW_NAME not in page and NEW_NIP_SAID not in page
        paper = printed_copy(app, siti, sh, printer, resolved)  # the counter printer's copy
        assert f"( {OLD_NAME} )\n".encode() in paper and f"NIP. {OLD_NIP_SAID}\n".encode() in paper
        assert NEW_NAME.encode() not in paper and NEW_NIP_SAID.encode() not in paper
        assert petugas(admin, ah) == {"Ani Wijaya": OLD_NAME, "Bayu Pratama": OLD_NAME}  # the recap
        # the text copied for the LKPP's TTS is signed as the form (the mail was off: nothing else kept it)
        (case,) = admin.get("/api/escalations", headers=ah).get_json()["escalations"]
        assert f"Pemberi penjelasan: {OLD_NAME} (NIP. {OLD_NIP_SAID})" in case["copy_text"]
        assert case["officer_name"] == OLD_NAME  # the escalations page's officer, as the form and the recap
        # a visitor served after the change: the new name and NIP
        later = serve(app, siti, sh, name="Citra Lestari")
        page = a4(siti, later)
        assert f"( {NEW_NAME} )" in page and f"NIP. {NEW_NIP_SAID}" in page and OLD_NAME not in page
        paper = printed_copy(app, siti, sh, printer, later)
        assert f"( {NEW_NAME} )\n".encode() in paper and f"NIP. {NEW_NIP_SAID}\n".encode() in paper
        assert petugas(admin, ah) == {"Ani Wijaya": OLD_NAME, "Bayu Pratama": OLD_NAME, "Citra Lestari": NEW_NAME}
        # the recap's officer filter takes what the recap shows (the name a form was signed with: those rows), as
        # well as the account's login name or full name now (all of hers)
        for typed, names in ((OLD_NAME, ["Ani Wijaya", "Bayu Pratama"]), (NEW_NAME.upper(), None), ("siti", None)):
            url = f"/api/recap?from={DAY}&to={NEXT_MONTH}&officer={typed}"
            rows = admin.get(url, headers=ah).get_json()["rows"]
            assert [r["Nama"] for r in rows] == (names or ["Ani Wijaya", "Bayu Pratama", "Citra Lestari"]), typed
    finally:
        if app is not None:
            app.extensions["antrian"].stop()
            app.extensions["antrian"].store.close()
        printer.stop()


def test_a_correction_changes_the_text_not_the_signature_and_names_its_corrector_as_then(tmp_path, clock):
    """The form is signed by the officer who explained it: a colleague's correction (or the officer's own, after
    a change of name) changes its text, not who signs it; the recap's "dikoreksi oleh …" names the colleague and
    the officer as each was named when they corrected it."""
    app, (admin, ah), (siti, sh) = office(tmp_path, clock)
    budi = app.test_client()
    bh = login(app, budi, "budi")
    rename(admin, ah, "budi", "Budi Santoso, S.T.", "199001052015031001")
    token = serve(app, siti, sh)
    r = budi.post(f"/api/tickets/{token}/correct", json={"solution": "Kata sandi direset; akun dibuka."}, headers=bh)
    assert r.status_code == 200, r.get_json()
    rename(admin, ah, "siti", NEW_NAME, NEW_NIP)
    rename(admin, ah, "budi", "Budi Santoso, M.T.", "199001052015031001")
    r = siti.post(f"/api/tickets/{token}/correct", json={"solution": "Kata sandi direset lagi."}, headers=sh)
    assert r.status_code == 200, r.get_json()
    page = a4(siti, token)
    assert "Kata sandi direset lagi." in page
    assert f"( {OLD_NAME} )" in page and f"NIP. {OLD_NIP_SAID}" in page and NEW_NAME not in page
    (row,) = admin.get(f"/api/recap?from={DAY}&to={DAY}", headers=ah).get_json()["rows"]
    assert row["Petugas"] == OLD_NAME
    assert row["Keterangan"].endswith(f"; dikoreksi oleh Budi Santoso, S.T., {NEW_NAME}"), row["Keterangan"]
    app.extensions["antrian"].stop()
    app.extensions["antrian"].store.close()


def test_a_visitor_served_then_sent_on_and_never_served_there_keeps_the_first_officers_signature(tmp_path, clock):
    """Served, transferred, cancelled at the other service: the recap's row (core.partly_served) names the officer
    who served as they were named then; its form too."""
    app, (admin, ah), (siti, sh) = office(tmp_path, clock)
    token = app.test_client().post("/api/tickets", json=visitor(name="Dedi")).get_json()["ticket"]["token"]
    for action, data in (("call-next", {}), ("start", {}), ("transfer", {"service": "C"})):
        assert siti.post(f"/api/counters/1/{action}", json=data, headers=sh).status_code == 200, action
        clock.advance(minutes=6)  # served six minutes before the transfer
    rina = app.test_client()
    r = rina.post(f"/api/tickets/{token}/cancel", json={}, headers=login(app, rina, "rina", "frontoffice"))
    assert r.status_code == 200, r.get_json()
    rename(admin, ah, "siti", NEW_NAME, NEW_NIP)
    assert petugas(admin, ah) == {"Dedi": OLD_NAME}
    page = a4(siti, token)
    assert f"( {OLD_NAME} )" in page and NEW_NAME not in page
    app.extensions["antrian"].stop()
    app.extensions["antrian"].store.close()


def test_a_ticket_kept_before_m027_is_signed_as_its_account_is_now(tmp_path, clock):
    """A ticket resolved before m027 kept no signer (NULL, as the migration leaves it): its form, printed copy and
    recap row name the account as it is now, as they did before; one signed since keeps its signature."""
    printer = FakeNetworkPrinter()
    app = None
    try:
        app, (admin, ah), (siti, sh) = office(tmp_path, clock, printer)
        old = serve(app, siti, sh, name="Ani Wijaya")
        kept = serve(app, siti, sh, name="Bayu Pratama")
        with app.extensions["antrian"].store.write() as tx:  # as m027 found a ticket of an earlier release
            tx.db.execute("UPDATE tickets SET signer_name = NULL, signer_nip = NULL WHERE token = ?", [old])
        rename(admin, ah, "siti", NEW_NAME, NEW_NIP)
        page = a4(siti, old)
        assert f"( {NEW_NAME} )" in page and f"NIP. {NEW_NIP_SAID}" in page and OLD_NAME not in page
        paper = printed_copy(app, siti, sh, printer, old)
        assert f"( {NEW_NAME} )\n".encode() in paper and f"NIP. {NEW_NIP_SAID}\n".encode() in paper
        assert f"( {OLD_NAME} )" in a4(siti, kept)
        assert petugas(admin, ah) == {"Ani Wijaya": NEW_NAME, "Bayu Pratama": OLD_NAME}
        # escalated: the escalations page names them as the form does
        before = serve(app, siti, sh, "escalate", name="Citra Lestari")
        since = serve(app, siti, sh, "escalate", name="Dedi Kurnia")
        with app.extensions["antrian"].store.write() as tx:
            tx.db.execute("UPDATE tickets SET signer_name = NULL, signer_nip = NULL WHERE token = ?", [before])
        rename(admin, ah, "siti", "Siti N.", NEW_NIP)
        cases = admin.get("/api/escalations", headers=ah).get_json()["escalations"]
        assert [c["officer_name"] for c in cases] == ["Siti N.", NEW_NAME], (before, since)
    finally:
        if app is not None:
            app.extensions["antrian"].stop()
            app.extensions["antrian"].store.close()
        printer.stop()
