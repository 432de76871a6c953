"""The tests' own logging filter (tests/conftest.py `_PlaywrightRouteTaskGone`): asyncio's note of a Playwright route
task destroyed while pending, said whenever the garbage collector meets an earlier browser test's leftover, is not a
line of the server's log that a test asserting those lines (caplog) may see; asyncio's other lines still are."""

from __future__ import annotations

import logging


def test_a_playwright_route_task_gone_is_dropped_and_asyncios_other_lines_kept(caplog):
    caplog.set_level(logging.INFO)
    log = logging.getLogger("asyncio")
    log.error(
        "Task was destroyed but it is pending!\ntask: <Task pending coro=<Page._on_route() running at /x/playwright/_impl/page.py:348>>"
    )
    log.error("Task was destroyed but it is pending!\ntask: <Task pending coro=<Other.run() running at /x/mine.py:1>>")
    log.error("Exception in callback Handle._run()")
    assert [r.getMessage().splitlines()[-1] for r in caplog.records if r.name == "asyncio"] == [
        "task: <Task pending coro=<Other.run() running at /x/mine.py:1>>",
        "Exception in callback Handle._run()",
    ]
