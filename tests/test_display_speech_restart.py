"""The TV's speech of a call made as the server restarts, on a real server in Chromium (helper-319, brief h320).

In a whole office day with every page open, the call made at Loket 2 just before the server's restart (SIGTERM,
then the same database and port) was chimed on both TVs and never said: the speech's request found nobody on the
port ("Failed to load resource: net::ERR_CONNECTION_REFUSED" in their consoles) and, refused at once, was not tried
again, while a request left unanswered is (display.js fetchBounded). A refused try is now tried again after the
same wait, and the call is said once the server is back.
"""

from __future__ import annotations

from conftest import until_on_page
from test_display_speech import BRIEF, call_at, ended, open_display, parts, speech_server


def test_a_call_made_as_the_server_stops_is_said_once_it_is_back(tmp_path, browser):
    server, sessions = speech_server(tmp_path, BRIEF)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        tv = context.new_page()
        held, refused = [], []

        def hold_first_speech(route):
            if held:
                route.continue_()
            else:
                held.append(route)  # sent on once the server is gone

        tv.route("**/api/tts/*", hold_first_speech)
        tv.on("requestfailed", lambda request: "/api/tts/" in request.url and refused.append(request.failure))
        open_display(tv, server)
        call_at((server, sessions), 1)
        until_on_page(tv, lambda: held, "the call's speech asked for")
        server.stop()  # SIGTERM: nobody on the port now
        held[0].continue_()
        until_on_page(tv, lambda: refused, "the speech's request refused")
        assert "ERR_CONNECTION_REFUSED" in refused[0], refused
        server.start()  # the same database and port
        (entry,) = ended(tv, 1)
        assert parts(entry) == [("chime", True, "ended"), ("speech", True, "ended")], entry
    finally:
        context.close()
        server.stop()
