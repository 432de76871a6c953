"""A page's clock (Playwright's page.clock) moved on without dropping the page's live connection.

socket.io's heartbeat runs on the page's timers: a page closes its connection when no ping came for
PING_INTERVAL_S + PING_TIMEOUT_S (server/realtime.py, 7 + 7 s), and reconnects; the reconnect's snapshot (and a
page's refetch) then redraws the page while a test looks at it. A page's clock moved on by more than that in one
call (page.clock.run_for, fast_forward) fires that timeout. So a module whose tests move a page's clock on far
has its server ping every PING_S (LiveServer/ClockedServer `numbers=PING_NUMBERS`), adds MANAGERS to the page
before it loads (install_clock does both that and page.clock.install), and moves the clock with run_clock_for:
steps of at most CLOCK_STEP_MS, each just after a ping of every live connection of the page (or, for moves of
minutes, has its server never ping: CALM_NUMBERS).
"""

from __future__ import annotations

PING_S = 1.0
PING_NUMBERS = {"realtime.PING_INTERVAL_S": PING_S}
# A server whose pages hear no ping while a test runs (`numbers=CALM_NUMBERS`): a page's heartbeat then ends a day
# after its connection, past any move of its clock, and a test may move it on by minutes in one call. For a test
# whose page's clock moves on that far (run_clock_for would wait out a ping for each 5 s of it) and that is not about
# the heartbeat itself.
CALM_NUMBERS = {"realtime.PING_INTERVAL_S": 86_400.0}
# a page closes its connection when no ping came for PING_S + PING_TIMEOUT_S (8 s): a step of 5 s just after a
# ping leaves 3 s for a loaded machine
CLOCK_STEP_MS = 5_000

# The page's socket.io managers (window.__managers), each counting the pings it got (__pings): socket.io's script
# sets window.io, and every io() the page calls afterwards (static/live.js connect) goes through this wrapper.
MANAGERS = """
(() => {
  let io;
  Object.defineProperty(window, "io", {
    configurable: true,
    get: () => io,
    set(made) {
      io = Object.assign(function () {
        const socket = made.apply(this, arguments);
        const manager = socket.io;
        if ((window.__managers = window.__managers || []).indexOf(manager) < 0) {
          window.__managers.push(manager);
          manager.__pings = 0;
          manager.on("ping", () => { manager.__pings += 1; });
        }
        return socket;
      }, made);
    },
  });
})();
"""


def install_clock(page, **install) -> None:
    """MANAGERS, then page.clock.install(**install): before the page (or the context's next page) loads."""
    page.add_init_script(MANAGERS)
    page.clock.install(**install)


def wait_for_ping(page) -> None:
    """Until every open connection of the page has had a ping since this call (a closed or reconnecting one has
    none to wait for). The page must have MANAGERS (install_clock) and a live connection made."""
    seen = page.evaluate("() => window.__managers ? window.__managers.map((m) => m.__pings) : null")
    assert seen, "no socket.io connection on the page (window.__managers): open it after pageclock.install_clock"
    page.wait_for_function(
        """(seen) => window.__managers.every((m, i) =>
             i >= seen.length || !m.engine || m.engine.readyState !== 'open' || m.__pings > seen[i])""",
        arg=seen,
        polling=20,
    )


def run_clock_for(page, ms: int, fast_forward: bool = False) -> None:
    """page.clock.run_for(ms) (or fast_forward) in steps of at most CLOCK_STEP_MS, each just after a ping of
    every live connection of the page: its heartbeat stays within PING_S + PING_TIMEOUT_S."""
    move = page.clock.fast_forward if fast_forward else page.clock.run_for
    while ms > 0:
        wait_for_ping(page)
        step = min(ms, CLOCK_STEP_MS)
        move(step)
        ms -= step
