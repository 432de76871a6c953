"""A counter action names the ticket it was pressed for, on a real server process.

`POST /api/counters/<id>/<action>` (recall, skip, start, resolve, escalate, transfer) acts on whatever ticket the
counter holds when the server runs it. A Selesai slow on the network, or sent again with its request_id after its
answer was lost, could reach the server after another tab, the front office or an admin had finished that visitor
and called and started the next one: the next visitor's consultation was closed with the first one's answer. With
`ticket_id` the server refuses it, 409 ticket_changed, and changes nothing; a repeat of a request already done still
answers its first answer; a bad `ticket_id` is a 422 field error; without it the action is as before.
"""

from __future__ import annotations

import pytest
from conftest import write_config
from live import LiveServer
from staffpages import PASSWORD, empty_queue, issue, staffed


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = staffed(LiveServer(write_config(tmp_path_factory.mktemp("action-ticket"))).start())
    yield server
    server.stop()


@pytest.fixture
def clean(office):
    empty_queue(office)
    return office


def post(session, server, action: str, body: dict, lang: str = "id"):
    return session.post(
        f"{server.url}/api/counters/1/{action}", json=body, headers={"Accept-Language": lang}, timeout=5
    )


def history(session, server, token: str) -> list[str]:
    r = session.get(f"{server.url}/api/tickets/{token}/history", timeout=5)
    assert r.status_code == 200, r.text
    return [e["type"] for e in r.json()["events"]]


def ticket(session, server, label: str) -> dict:
    tickets = session.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"]
    return next(t for t in tickets if t["label"] == label)


def serve_next(session, server) -> dict:
    r = post(session, server, "call-next", {})
    assert r.status_code == 200, r.text
    called = r.json()["ticket"]
    r = post(session, server, "start", {"ticket_id": called["id"]})
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def test_an_action_pressed_for_a_visitor_finished_elsewhere_is_refused_and_changes_nothing(clean):
    server = clean
    x, y = issue(server, "Dewi Anggraini"), issue(server, "Eko Saputra")
    page = server.session("budi", PASSWORD)  # the counter page that pressed Selesai for X
    other = server.session("budi", PASSWORD)  # another tab of the same officer
    served = serve_next(page, server)
    assert served["label"] == x["label"]
    # the other tab finishes X and calls and starts Y before the page's Selesai reaches the server
    r = post(other, server, "resolve", {"solution": "Jawaban dari tab lain."})
    assert r.status_code == 200, r.text
    assert serve_next(other, server)["label"] == y["label"]
    before = history(page, server, y["token"])

    r = post(page, server, "resolve", {"solution": "Jawaban untuk X.", "ticket_id": served["id"], "request_id": "p-1"})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "ticket_changed"
    assert r.json()["message"] == (
        f"Tiket {x['label']} tidak lagi di loket ini: loket kini melayani {y['label']}. Tidak ada yang diubah."
    )
    r = post(page, server, "resolve", {"solution": "Jawaban untuk X.", "ticket_id": served["id"]}, lang="en")
    assert r.status_code == 409, r.text
    assert r.json()["message"] == (
        f"Ticket {x['label']} is no longer at this counter: the counter now is serving {y['label']}. "
        "Nothing was changed."
    )
    # every action on the held ticket, pressed for X: refused the same way
    for action, body in [
        ("escalate", {"note": "Analisis untuk X."}),
        ("transfer", {"service": "B", "note": "Untuk X."}),
        ("recall", {}),
        ("skip", {}),
        ("start", {}),
    ]:
        r = post(page, server, action, {**body, "ticket_id": served["id"]})
        assert (r.status_code, r.json()["error"]) == (409, "ticket_changed"), (action, r.text)
    assert history(page, server, y["token"]) == before  # nothing done to Y
    now = ticket(page, server, y["label"])
    assert (now["status"], now["counter_id"], now["solution"], now["service"]) == ("serving", 1, "", "A")
    assert ticket(page, server, x["label"])["solution"] == "Jawaban dari tab lain."

    # Y finished, the counter holds no ticket: a press for Y said so, nothing changed
    r = post(page, server, "resolve", {"solution": "Jawaban untuk Y.", "ticket_id": now["id"]})
    assert r.status_code == 200, r.text
    r = post(page, server, "escalate", {"note": "Analisis.", "ticket_id": now["id"]})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "ticket_changed"
    assert r.json()["message"] == (
        f"Tiket {y['label']} tidak lagi di loket ini: loket kini tidak memegang tiket. Tidak ada yang diubah."
    )
    assert history(page, server, y["token"]).count("escalated") == 0


def test_a_repeat_of_a_request_done_answers_its_first_answer(clean):
    """The guard comes after the request_id's first answer: the page sending its Selesai again after its answer was
    lost, the visitor left by that very request, hears it was done (not ticket_changed)."""
    server = clean
    x, y = issue(server, "Fajar Nugroho"), issue(server, "Gita Permata")
    page = server.session("budi", PASSWORD)
    served = serve_next(page, server)
    body = {"solution": "Dokumen diunggah ulang.", "ticket_id": served["id"], "request_id": "selesai-x-1"}
    first = post(page, server, "resolve", body)
    assert first.status_code == 200, first.text
    assert serve_next(page, server)["label"] == y["label"]
    again = post(page, server, "resolve", body)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.json()["ticket"]["label"] == x["label"]
    assert "resolved" not in history(page, server, y["token"])
    assert ticket(page, server, y["label"])["status"] == "serving"
    assert history(page, server, x["token"]).count("resolved") == 1


@pytest.mark.parametrize("bad", ["12", True, False, -3, 0, 1.5, None, [1], {"id": 1}, 10**30])
def test_a_bad_ticket_id_is_a_field_error(clean, bad):
    server = clean
    x = issue(server, "Hadi Santoso")
    page = server.session("budi", PASSWORD)
    served = serve_next(page, server)
    for action, body in [("resolve", {"solution": "Jawaban."}), ("recall", {}), ("skip", {}), ("start", {})]:
        r = post(page, server, action, {**body, "ticket_id": bad})
        assert r.status_code == 422, (action, r.text)
        assert r.json()["error"] == "form_incomplete"
        assert set(r.json()["fields"]) == {"ticket_id"}, r.text
    now = ticket(page, server, x["label"])
    assert (now["status"], now["solution"]) == ("serving", "")
    assert history(page, server, x["token"]).count("resolved") == 0
    assert served["id"] == now["id"]


def test_without_ticket_id_an_action_is_as_before_and_with_the_right_one_it_is_done(clean):
    server = clean
    x, y = issue(server, "Indah Lestari"), issue(server, "Joko Widodo")
    page = server.session("budi", PASSWORD)
    r = post(page, server, "call-next", {})
    assert r.status_code == 200, r.text
    called = r.json()["ticket"]
    r = post(page, server, "recall", {"ticket_id": called["id"]})
    assert (r.status_code, r.json()["ticket"]["calls"]) == (200, 2), r.text
    r = post(page, server, "recall", {})
    assert (r.status_code, r.json()["ticket"]["calls"]) == (200, 3), r.text
    r = post(page, server, "start", {})
    assert r.status_code == 200, r.text
    r = post(page, server, "resolve", {"solution": "Tanpa ticket_id."})
    assert (r.status_code, r.json()["ticket"]["status"]) == (200, "resolved"), r.text
    assert ticket(page, server, x["label"])["solution"] == "Tanpa ticket_id."
    served = serve_next(page, server)
    assert served["label"] == y["label"]
    r = post(page, server, "transfer", {"service": "B", "ticket_id": served["id"]})
    assert (r.status_code, r.json()["ticket"]["service"]) == (200, "B"), r.text


def test_a_press_refused_as_changed_is_refused_again_for_its_request_id(clean):
    """A refusal for a visitor no longer at the counter is kept for the press's request_id: the same press sent again
    once that visitor is there after all (held on the network, or sent again by the page) is refused with the first
    refusal's words, in the language asked, and the visitor is left as they are."""
    server = clean
    x, y = issue(server, "Kurnia Sari"), issue(server, "Lukman Hakim")
    page = server.session("budi", PASSWORD)
    y_id = ticket(page, server, y["label"])["id"]
    assert post(page, server, "call-next", {}).json()["ticket"]["label"] == x["label"]
    body = {"ticket_id": y_id, "request_id": "recall-y-early"}
    first = post(page, server, "recall", body)
    assert (first.status_code, first.json()["error"]) == (409, "ticket_changed"), first.text
    said = f"Tiket {y['label']} tidak lagi di loket ini: loket kini memanggil {x['label']}. Tidak ada yang diubah."
    assert first.json()["message"] == said

    for action, extra in (("start", {}), ("resolve", {"solution": "Selesai."})):
        assert post(page, server, action, extra).status_code == 200
    assert post(page, server, "call-next", {}).json()["ticket"]["label"] == y["label"]
    again = post(page, server, "recall", body)
    assert again.status_code == 409, again.text  # not the recall of the visitor the counter holds now
    assert (again.json()["error"], again.json()["message"]) == ("ticket_changed", said)
    english = post(page, server, "recall", body, lang="en")
    assert english.status_code == 409 and english.json()["message"].startswith(f"Ticket {y['label']} is no longer")
    assert x["label"] in english.json()["message"], english.text
    now = ticket(page, server, y["label"])
    assert (now["status"], now["calls"]) == ("called", 1)
    assert "recalled" not in history(page, server, y["token"])
    # a press of its own (another request_id) acts on what the counter holds now
    r = post(page, server, "recall", {"ticket_id": y_id, "request_id": "recall-y-now"})
    assert r.status_code == 200 and r.json()["ticket"]["calls"] == 2, r.text


def test_a_refusal_is_kept_for_its_request_id_outside_the_event_loop_too(service):
    """The same without gevent (each command in a transaction of its own: the command line's, the tests'): the
    refusal's row is committed though the command raised, and nothing else is."""
    from conftest import visitor

    from server.errors import QueueError

    for name in ("Maya Putri", "Nanda Pratama"):
        service.issue(visitor(name=name))
    first = service.counter_action(1, "call-next", {"holding": None}, "budi", request_key="call:first")
    with pytest.raises(QueueError) as refused:
        service.counter_action(1, "call-next", {"holding": None}, "budi", request_key="call:late")
    assert refused.value.code == "counter_changed"
    for action, payload in (("start", {}), ("resolve", {"solution": "Selesai."})):
        service.counter_action(1, action, payload, "budi")
    published = len(service.events)
    with pytest.raises(QueueError) as again:
        service.counter_action(1, "call-next", {"holding": None}, "budi", request_key="call:late")
    assert (again.value.code, str(again.value.params["now"])) == ("counter_changed", str(refused.value.params["now"]))
    assert again.value.params["now"].en_text == refused.value.params["now"].en_text
    assert len(service.events) == published  # nobody called
    called = service.counter_action(1, "call-next", {"holding": None}, "budi", request_key="call:second")
    assert called.body["ticket"]["label"] != first.body["ticket"]["label"]
