"""Werkzeug's URL builders made once per process: for the tests' apps (tests/conftest.py) and the test servers
forked from tests/forkserver.py.

Werkzeug writes each route's URL builder as Python source (an AST, then compile()) every time an app is made:
40 % of create_app, and the tests make some 500 apps in their own processes and fork some 130 servers. What it
writes depends only on the rule's text and parts (werkzeug/routing/rules.py Rule._compile_builder: self.rule,
self._trace, append_unknown, and self.defaults, left out here: a rule with defaults is written each time), and the
function it makes takes its rule as an argument. So each distinct one is made once in a process and given to every
rule with the same text, as werkzeug would have made it again."""

from __future__ import annotations


def made_once() -> None:
    """Patch werkzeug's Rule._compile_builder in this process (once; again is a no-op)."""
    from werkzeug.routing.rules import Rule

    write = Rule._compile_builder
    if hasattr(write, "werkzeug"):
        return
    made: dict[tuple, object] = {}

    def once(self, append_unknown=True):
        if self.defaults:
            return write(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in made:
            made[key] = write(self, append_unknown)
        return made[key]

    once.werkzeug = write  # for tests/test_openapi.py, which compares what each gives
    Rule._compile_builder = once
