"""The tests' own servers (tests/forkserver.py, tests/live.py): what each forked server's start costs.

A test run forks some 130 servers. Each one's create_app wrote every route's URL builder as Python source and
compiled it, and imported the modules create_app imports at its first call: 0.06 CPU-s of the 0.12-0.15 a
server spent before it answered. The fork server now makes one app itself before it forks any (forkserver.py
_one_app_made), so a server's create_app compiles only the builders of rules with defaults (written each time,
tests/urlbuilders.py) and imports nothing. The script below runs as a forked server does, in the `serve` fork
server, and makes an app as `serve` makes it, on a database of its own."""

from __future__ import annotations

import json
import os
import sys
import textwrap

from conftest import write_config
from live import Forked

SCRIPT = textwrap.dedent(
    """
    import builtins, json, sys
    from server.app import create_app

    compiled = []
    compile_ = builtins.compile

    def counted(source, filename, *args, **kw):
        if filename == "<werkzeug routing>":
            compiled.append(1)
        return compile_(source, filename, *args, **kw)

    builtins.compile = counted
    before = set(sys.modules)
    app = create_app(sys.argv[1], async_mode="gevent", workers=False)
    with_defaults = sum(1 for rule in app.url_map.iter_rules() if rule.defaults)
    rules = sum(1 for _ in app.url_map.iter_rules())
    builtins.compile = compile_
    from server.cli import stop_service

    stop_service(app.extensions["antrian"])
    print(json.dumps({"compiled": len(compiled), "rules": rules, "with_defaults": with_defaults,
                      "imported": sorted(set(sys.modules) - before)}))
    """
)


def test_a_forked_servers_app_compiles_no_url_builder_and_imports_nothing_the_fork_server_made_already(tmp_path):
    script = tmp_path / "make_app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    config = write_config(tmp_path)
    out, err = tmp_path / "out", tmp_path / "err"
    proc = Forked("serve", [sys.executable, str(script), str(config)], dict(os.environ), out, err)
    assert proc.wait(60) == 0, err.read_text()
    made = json.loads(out.read_text().splitlines()[-1])
    assert made["rules"] > 50  # the app's routes were made: the count below is of a real app
    # each builder of a rule with defaults (and its two variants) at most; without the fork server's app, every rule's
    assert made["compiled"] <= 2 * made["with_defaults"], made
    assert made["imported"] == [], made
