"""The admin page's voice section end to end: a real server (gevent; the pack prepared in a child
process), a pack made by voices/make_espeak_pack.py, real Chromium uploading a real WAV and playing a
preview served through /api/tts/."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, write_config
from playwright.sync_api import expect
from staffpages import sign_in


@pytest.fixture(scope="module")
def voiced(tmp_path_factory):
    """A live server speaking with the pack voices/kantor, which lacks sebelas.wav (kept aside)."""
    from live import LiveServer

    base = tmp_path_factory.mktemp("voiced")
    pack = base / "voices" / "kantor"
    script = ROOT / "voices" / "make_espeak_pack.py"
    plain = write_config(base)  # the pack first: a config naming it needs its folder
    subprocess.run([sys.executable, str(script), str(pack), "--config", str(plain)], check=True, capture_output=True)
    config = write_config(base, {"cache_mb = 200 ": 'engine = "clips"\nclips = "voices/kantor"\ncache_mb = 200 '})
    aside = base / "sebelas.wav"
    shutil.move(pack / "sebelas.wav", aside)
    server = LiveServer(config).start()
    server.add_user("kepala", "admin")
    yield server, pack, aside
    server.stop()


def test_the_admin_sees_a_missing_word_uploads_it_and_hears_the_call_from_the_recordings(browser, voiced):
    server, pack, aside = voiced
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, server, "/counter/admin", "kepala")
    expect(page.locator("#voice-missing")).to_have_text("sebelas.wav")
    expect(page.locator("#voice-engine")).to_have_value("clips")
    expect(page.locator("#voice-upload-pack")).to_have_value("kantor")

    page.locator("#voice-files").set_input_files(str(aside))
    page.click("#voice-upload button[type=submit]")
    expect(page.locator("#sec-voice .notice")).to_have_text("1 klip tersimpan.")
    expect(page.locator("#voice-state .ok")).to_be_visible()  # reloaded by the speech worker: nothing missing
    assert (pack / "sebelas.wav").read_bytes() == aside.read_bytes()

    page.fill("#voice-label", "A-11")
    with page.expect_response(lambda r: "/api/tts/" in r.url) as audio:
        page.click("#voice-preview button[type=submit]")
    assert audio.value.status in (200, 206) and audio.value.body()[:4] == b"OggS"  # a media element asks a range
    expect(page.locator("#voice-preview-text")).to_have_attribute("data-engine", "clips")
    expect(page.locator("#voice-preview-text")).to_contain_text("sebelas")


def test_a_file_with_a_bad_name_is_refused_beside_its_input(browser, voiced, tmp_path):
    server, pack, aside = voiced
    bad = tmp_path / "Dua Puluh.wav"
    bad.write_bytes(aside.read_bytes())
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, server, "/counter/admin", "kepala")
    expect(page.locator("#voice-upload-pack")).to_have_value("kantor")
    page.locator("#voice-files").set_input_files(str(bad))
    page.click("#voice-upload button[type=submit]")
    expect(page.locator('#voice-files[aria-invalid="true"]')).to_be_visible()
    expect(page.locator('.field-error[data-for="voice.name"]')).not_to_be_empty()
    assert not (pack / "Dua Puluh.wav").exists()


def test_the_admin_plays_a_call_on_the_tv_and_it_speaks_there_from_the_recordings(browser, voiced):
    """ "Putar di layar TV": the TV page chimes and says the call (the pack's clips, as a real call), and the
    admin page says how many TVs heard it."""
    server, pack, aside = voiced
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(f"{server.url}/display/")
    tv.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, server, "/counter/admin", "kepala")
    expect(page.locator("#voice-counter option")).not_to_have_count(0)
    page.fill("#voice-label", "A-12")
    page.click("#voice-test-call")
    expect(page.locator("#voice-test-call-text")).to_have_text(
        "Diputar di 1 layar TV sebagai tes (antrian tidak berubah)."
    )
    tv.wait_for_function("() => antrianDisplay.log.length === 1 && antrianDisplay.log[0].end !== null", polling=50)
    (entry,) = tv.evaluate("antrianDisplay.log")
    assert entry["test"] and entry["label"] == "A-12"
    assert [(p["kind"], p["ok"]) for p in entry["parts"]] == [("chime", True), ("speech", True)], entry
    assert tv.evaluate("antrianDisplay.state.recent.length") == 0
    tv.context.close()
    page.context.close()
