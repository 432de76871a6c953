"""docs/api.md covers every API route and every event type the server emits."""

from __future__ import annotations

import re

from conftest import ROOT

API = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def test_every_api_route_is_documented(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
        if rule.rule.startswith("/api/counters/"):
            path = "/api/counters/<id>/"
        if path not in API:
            missing.append(path)
    assert missing == []


def test_every_event_type_is_documented():
    from server.store import EVENT_TYPES

    assert sorted(t for t in EVENT_TYPES if f"`{t}`" not in API) == []
