"""Browser contexts and their page kept open from one test to the next, when nothing of a test is left in them.

A new browser context with a new page cost Chromium about 0.35 CPU-s on this project's pages, of which
0.14 went to making the context and its page's renderer; the same page sent to the next address costs
the rest (docs/performance.md, "The test suite"). So tests/conftest.py's `browser` hands out contexts
(`new_context`, `new_page`) from this pool: a context closed by a test comes back here, and the next
test that asks for one with the same options (and the same `init_scripts`, part of its kind) gets
it, with its one page, as if new:

- its cookies and permissions cleared, and each page's local and session storage cleared on the
  origin it was showing, before it was sent to about:blank (which also closes its sockets, so the
  server sees the page leave as it would at a close);
- any other page of the context closed.

A context is really closed instead when a test changed it in a way that cannot be taken back:
an init script, a route, a listener, an exposed function, offline mode, headers, a timeout,
emulated media or another viewport, Playwright's clock; or when one of its pages showed an origin
it no longer shows (its storage there could not be cleared) or a page of it was closed before it.
What a page holds in memory goes with its document. The HTTP cache stays, as in a browser that
stays open (a kiosk, a TV): a page's second load may take its scripts from it.

A kept context holds a page and its renderer process, so few are kept: two of a kind and three in all
per test worker, the one given back longest ago closed first. The browser tests' Chromium processes
peaked at 2.7 GB (the sum of their resident memory, four workers) without the pool, 3.9 GB with three
kept per worker and 5.1 GB with six (docs/performance.md, "Fourth round").
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

# Methods whose effect outlives the test that calls them: the context or page is closed for real after.
CONTEXT_CHANGES = (
    "add_init_script expose_binding expose_function on once route route_from_har route_web_socket "
    "set_default_navigation_timeout set_default_timeout set_extra_http_headers set_geolocation set_offline "
    "set_storage_state new_cdp_session"
).split()
PAGE_CHANGES = (
    "add_init_script add_locator_handler emulate_media expose_binding expose_function on once route "
    "route_from_har route_web_socket set_default_navigation_timeout set_default_timeout "
    "set_extra_http_headers set_viewport_size pause"
).split()
CLOCK_CHANGES = "install fast_forward pause_at resume run_for set_fixed_time set_system_time".split()
KEEP_PER_KIND = 2  # free contexts kept for each set of options
KEEP = 3  # free contexts kept in all (each holds a page and its renderer process): the oldest closed first


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


CLEAR_STORAGE = "() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }"


class Pooled:
    """The pool's bookkeeping for one real context."""

    def __init__(self, pool: ContextPool, key: str, context) -> None:
        self.pool, self.key, self.context = pool, key, context
        self.changed = False  # a change CONTEXT_CHANGES or PAGE_CHANGES lists was made
        self.origins: set[str] = set()  # every origin a page of it showed
        self.pages_opened = 0
        self.idle_page = None  # its kept page, handed out by the next new_page
        self.released = False  # closed by its test (a second close does nothing, as Playwright's)
        self.real_close = context.close
        self.real_new_page = context.new_page
        type(context).on(context, "page", self._page_opened)  # the class's own `on`: ours marks a change
        for name in CONTEXT_CHANGES:
            self._mark(context, name)
        clock = context.clock
        for name in CLOCK_CHANGES:
            self._mark(clock, name)
        context.close = self.release
        context.new_page = self.new_page
        context._antrian_pooled = self

    def _mark(self, obj, name: str) -> None:
        real = getattr(obj, name)

        def changing(*args, **kwargs):
            self.changed = True
            return real(*args, **kwargs)

        setattr(obj, name, changing)

    def _page_opened(self, page) -> None:
        self.pages_opened += 1
        type(page).on(page, "framenavigated", lambda frame: self._navigated(page, frame))
        for name in PAGE_CHANGES:
            self._mark(page, name)
        real_close = page.close

        def close(**kwargs):
            if page is self.pool.owner_pages.get(id(self)):  # browser.new_page's page: its context goes too
                self.release()
            else:
                real_close(**kwargs)

        page.close = close
        page._real_close = real_close

    def _navigated(self, page, frame) -> None:
        if frame == page.main_frame and (o := origin(frame.url)):
            self.origins.add(o)

    def new_page(self):
        if self.idle_page is not None:
            page, self.idle_page = self.idle_page, None
            return page
        return self.real_new_page()

    def release(self, **kwargs) -> None:
        """The test is done with it: back to the pool if nothing of the test stays in it, else closed."""
        if self.released:
            return
        self.released = True
        self.pool.owner_pages.pop(id(self), None)
        if not self._reset():
            self._unroute()
            self.real_close(**kwargs)
            return
        self.pool.give_back(self)

    def _unroute(self) -> None:
        """The test's routes taken off before the close, their handlers' errors from then on ignored: a page's late
        request (the complaints page's second read, in flight at the test's end) was fetched by its handler, whose
        read of the answer's body after the close raised "Response has been disposed" into the next test's first
        Playwright call (its new_context), on a busy machine."""
        with suppress(Exception):  # a context closed under it
            for page in self.context.pages:
                page.unroute_all(behavior="ignoreErrors")
            self.context.unroute_all(behavior="ignoreErrors")

    def _reset(self) -> bool:
        """Take the test's traces out of the context; False when that cannot be done."""
        if self.changed:
            return False
        try:
            pages = self.context.pages
            if len(pages) != self.pages_opened or not pages:
                return False  # a page closed before: its storage was not cleared
            shown = {origin(p.url) for p in pages} - {None}
            if self.origins - shown:
                return False
            keep, *others = pages
            for page in pages:
                if origin(page.url):
                    page.evaluate(CLEAR_STORAGE)
            for page in others:
                page._real_close()
            keep.goto("about:blank")
            self.context.clear_cookies()
            self.context.clear_permissions()
        except Exception:  # noqa: BLE001  (a crashed page, a context closed under it: not reused)
            return False
        self.origins.clear()
        self.pages_opened = 1
        self.idle_page = keep
        return True


class ContextPool:
    """Contexts of one browser, kept by their options (see the module's docstring)."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.free: dict[str, list[Pooled]] = {}
        self.order: list[Pooled] = []  # the free ones, in the order they came back
        self.owner_pages: dict[int, Any] = {}

    def new_context(self, init_scripts: tuple[str, ...] = (), **options):
        """A context with Playwright's `options`; `init_scripts` are added to it as part of its kind
        (the same scripts, the same kind), unlike a script a test adds later, which closes it after."""
        key = json.dumps([options, init_scripts], sort_keys=True, default=repr)
        free = self.free.get(key)
        if free:
            pooled = free.pop()
            self.order.remove(pooled)
            pooled.released = False
            return pooled.context
        context = self.browser.new_context(**options)
        for script in init_scripts:
            context.add_init_script(script)
        return Pooled(self, key, context).context

    def new_page(self, **options):
        """A page in a context of its own, which its close closes too (as Browser.new_page's)."""
        context = self.new_context(**options)
        page = context.new_page()
        self.owner_pages[id(context._antrian_pooled)] = page
        return page

    def give_back(self, pooled: Pooled) -> None:
        free = self.free.setdefault(pooled.key, [])
        if len(free) >= KEEP_PER_KIND:
            pooled.real_close()
            return
        free.append(pooled)
        self.order.append(pooled)
        while len(self.order) > KEEP:  # the one given back longest ago
            oldest = self.order.pop(0)
            self.free[oldest.key].remove(oldest)
            oldest.real_close()

    def close(self) -> None:
        for free in self.free.values():
            for pooled in free:
                pooled.real_close()
        self.free.clear()
        self.order.clear()
