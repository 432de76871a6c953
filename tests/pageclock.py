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

# A quarter second: run_clock_for waits for a ping before each step, so a second's wait cost a step nearly a second
# (a TV's idle minute, 12 steps: 11 s of each of eight tests of test_display_many_counters); the server's pings to a
# module's few pages cost nothing to speak of.
PING_S = 0.25
PING_NUMBERS = {"realtime.PING_INTERVAL_S": PING_S}
# A server whose pages hear no ping while a test runs (`numbers=CALM_NUMBERS`): a page's heartbeat then ends a day
# after its connection, past any move of its clock, and a test may move it on by minutes in one call. For a test
# whose page's clock moves on that far (run_clock_for would wait out a ping for each 4 s of it) and that is not about
# the heartbeat itself.
CALM_NUMBERS = {"realtime.PING_INTERVAL_S": 86_400.0}
# a page closes its connection when no ping came for PING_S + PING_TIMEOUT_S (7.25 s): a step of 4 s just after a
# ping leaves 3.25 s for a loaded machine
CLOCK_STEP_MS = 4_000

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


def pause_clock(page, ahead_s: float = 1.0) -> None:
    """The page's clock (install_clock) moved on by `ahead_s` and stopped there (page.clock.pause_at): its timers
    then fire only as the test moves it (page.clock.run_for), and a wait of the page's is measured on it to the
    millisecond however slow the machine (Date.now() read in a timer's callback is the time it was due). Its
    socket.io heartbeat stops with it: for a page whose server never pings (CALM_NUMBERS), or moved with
    run_clock_for.

    The page's Date.now() is held still first (set_fixed_time: its timers still run on in real time), so the time
    read there is still the page's when pause_at comes: pause_at(read + ahead_s) alone failed with "Cannot
    fast-forward to the past" when a loaded machine took longer than ahead_s between the two calls. pause_at
    then stops the timers `ahead_s` on, and set_system_time lets Date.now() move with the clock again."""
    now = page.evaluate("Date.now()") / 1000
    page.clock.set_fixed_time(now)
    page.clock.pause_at(now + ahead_s)
    page.clock.set_system_time(now + ahead_s)


# Each socket.io manager of the page (MANAGERS) flags its reconnection try under way (__trying): set at socket.io's
# "reconnect_attempt", cleared at its "reconnect_error" (that try failed; the next one set on the page's timers). A
# try that succeeds stays flagged until its sockets are connected (TRYING, below).
WATCH_TRIES = """() => (window.__managers || []).forEach((m) => {
  if (m.__trying !== undefined) return;
  m.__trying = false;
  m.on("reconnect_attempt", () => { m.__trying = true; });
  m.on("reconnect_error", () => { m.__trying = false; });
})"""


# a manager connected: its engine open and every socket of it connected
CONNECTED = """(m) => m.engine && m.engine.readyState === "open"
                   && Object.keys(m.nsps).every((n) => m.nsps[n].connected)"""
# a manager's try under way: flagged, and not yet connected
TRYING = f"(m) => m.__trying && !({CONNECTED})(m)"


def watch_tries(page) -> None:
    """Flag the page's socket.io reconnection tries (WATCH_TRIES) from now: before its connection goes, for
    reconnect_on_clock."""
    page.evaluate(WATCH_TRIES)


def reconnect_on_clock(
    page, done, max_ms: int = 20_000, step_ms: int = 1000, try_s: float = 5.0, what: str = ""
) -> None:
    """Until `done` holds on a page (install_clock) whose connection is coming back (its server started again, its
    network back): socket.io's reconnection tries, due on the page's clock (paused: pause_clock, or running), are
    brought on by moving that clock `step_ms` at a time, at most `max_ms` in all, instead of being waited out in real
    time. `done` is a JavaScript expression, or a function of the test's (a check of what its listeners collected),
    which `what` then names in the failure.

    A try under way (watch_tries: called here, and best before the connection went) is waited for before the clock
    moves on: its failure, known in real time, is told on a timer of 0 ms (engine.io's), run by moving the clock 1 ms,
    and sets the next try on it; its success makes the connection. A try not ended within `try_s` s is left to go on
    as the clock moves on. Once every connection of the page is made, each move waits a tenth of a second of real time
    first (the snapshot, and what the page does with it, on their way). It stops within `step_ms` of the try that
    connects, however long a try takes on a loaded machine."""
    import time

    watch_tries(page)
    if callable(done):
        check = done
    else:
        script = f"() => Boolean({done})"

        def check() -> bool:
            return page.evaluate(script)

    trying = f"() => window.__managers.some({TRYING})"
    connected = f"() => window.__managers.every({CONNECTED})"
    moved = 0
    while not check():
        waited = time.monotonic() + try_s
        while page.evaluate(trying) and not check() and time.monotonic() < waited:
            page.clock.run_for(1)  # a failed try's timer of 0 ms, due within the clock's next millisecond
            settle = time.monotonic() + 0.1  # a tenth of a second for it to end, then the clock moved again
            while page.evaluate(trying) and not check() and time.monotonic() < settle:
                page.wait_for_timeout(20)  # real time: Playwright's own, not the page's clock
        if page.evaluate(connected):
            looked = time.monotonic() + 0.1
            while not check() and time.monotonic() < looked:
                page.wait_for_timeout(20)  # events reach the test's listeners during Playwright's calls
        if check():
            return
        assert moved < max_ms, f"{what or done}: not within {max_ms} ms of the page's clock as it reconnected"
        page.clock.run_for(step_ms)
        moved += step_ms
