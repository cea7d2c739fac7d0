"""Parallel sections in a real browser: the sections show in order, those written ahead fill in live in their places."""

from __future__ import annotations

import re
import time

import pytest

try:
    from browser import browser_page, streamlit_server
except ImportError:  # if tests/ ever becomes a package
    from tests.browser import browser_page, streamlit_server

pytestmark = pytest.mark.browser

COMPLETED = re.compile(r"Completed: \d+ sections")
AHEAD = "Written at the same time"


def numbers(headings: list[str]) -> list[int]:
    return [int(m.group(1)) for h in headings if (m := re.match(r"\s*(\d+)\.", h))]


def headings(page) -> list[int]:
    # One evaluation in the page: the headings of one moment (a locator's texts are fetched one by one, and a
    # re-render in between would mix two moments).
    return numbers(page.evaluate("Array.from(document.querySelectorAll(\"[data-testid='stMain'] h2\"))"
                                 ".map(e => e.innerText)"))


def test_parallel_sections_fill_in_their_places_and_end_in_order():
    env = {"CONTRACTGEN_RATE": "150", "CONTRACTGEN_MODE": "sections", "CONTRACTGEN_PARALLEL": "4"}
    with streamlit_server(env_extra=env) as url, browser_page() as page:
        page.goto(url)
        page.get_by_role("textbox", name="Company name *").fill("Parallel Browser Co")
        page.get_by_role("button", name="Generate").click()
        main = page.get_by_test_id("stMain")
        completed = page.get_by_text(COMPLETED)
        ahead_seen, progress_seen, orders = 0, set(), []
        deadline = time.monotonic() + 120
        while completed.count() == 0:
            assert time.monotonic() < deadline, "no 'Completed' after 120 s"
            text = main.inner_text()
            if AHEAD in text:
                ahead_seen += 1
            progress_seen.update(re.findall(r"section (\d+)/15 done · 4 at once", text))
            orders.append(headings(page))
            time.sleep(0.3)
        # While it ran: sections written ahead were shown below the text in order, and k/N counted them.
        assert ahead_seen >= 2, "the sections written ahead were never shown"
        assert len(progress_seen) >= 3, progress_seen
        for order in orders:  # every moment: sections in increasing order (each in its place)
            assert order == sorted(order), (order, orders)
        final = headings(page)
        assert final == list(range(1, 16)), final
        assert AHEAD not in main.inner_text()
