"""tests/pagepool.py: a context handed to the next test holds nothing of the last one, and one that
cannot be cleaned is not handed out again."""

from __future__ import annotations

OPTIONS = {"viewport": {"width": 800, "height": 600}, "locale": "en-GB"}  # a kind no other test asks for


def test_a_closed_context_comes_back_empty_with_its_page(browser, live):
    context = browser.new_context(**OPTIONS)
    page = context.new_page()
    page.goto(f"{live.url}/kiosk/")
    page.evaluate("() => { localStorage.setItem('k', 'v'); sessionStorage.setItem('s', 'v'); window.mark = 1; }")
    context.add_cookies([{"name": "c", "value": "1", "url": live.url}])
    context.close()

    again = browser.new_context(**OPTIONS)
    assert again is context  # the same context, from the pool
    reused = again.new_page()
    assert reused is page and reused.url == "about:blank"
    assert again.cookies() == []
    reused.goto(f"{live.url}/kiosk/")
    assert reused.evaluate("[localStorage.getItem('k'), sessionStorage.getItem('s'), window.mark]") == [
        None,
        None,
        None,
    ]
    again.close()
    again.close()  # a second close does nothing
    assert browser.new_context(**OPTIONS) is again
    browser.new_context(**OPTIONS).close()  # a second one while the first is out: a new context
    again.close()


def test_a_context_changed_for_good_is_closed_not_handed_out(browser, live):
    options = {**OPTIONS, "locale": "de-DE"}
    context = browser.new_context(**options)
    context.add_init_script("window.injected = true")
    context.new_page().goto(f"{live.url}/kiosk/")
    context.close()
    fresh = browser.new_context(**options)
    assert fresh is not context
    page = fresh.new_page()
    page.goto(f"{live.url}/kiosk/")
    assert page.evaluate("window.injected === undefined")
    page.clock.install()
    fresh.close()
    assert browser.new_context(**options) is not fresh  # Playwright's clock installed: not reused


def test_a_page_of_its_own_closes_its_context_back_to_the_pool(browser, live):
    page = browser.new_page(**OPTIONS, has_touch=True)
    page.goto(f"{live.url}/kiosk/")
    page.close()
    assert browser.new_page(**OPTIONS, has_touch=True) is page
    page.close()


def test_init_scripts_given_with_the_options_are_part_of_the_kind(browser, live):
    scripted = {**OPTIONS, "locale": "fr-FR", "init_scripts": ("window.kind = 'scripted'",)}
    context = browser.new_context(**scripted)
    context.new_page().goto(f"{live.url}/kiosk/")
    context.close()
    plain = browser.new_context(**{**scripted, "init_scripts": ()})
    assert plain is not context  # another kind: no script
    page = plain.new_page()
    page.goto(f"{live.url}/kiosk/")
    assert page.evaluate("window.kind === undefined")
    plain.close()
    again = browser.new_context(**scripted)
    assert again is context
    page = again.new_page()
    page.goto(f"{live.url}/kiosk/")
    assert page.evaluate("window.kind") == "scripted"
    again.close()
