"""The Generate page in a real browser: the draft grows live, ends complete, and escapes input."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

try:
    from browser import browser_page, streamlit_server
except ImportError:  # if tests/ ever becomes a package
    from tests.browser import browser_page, streamlit_server

from contractgen.offline import OfflineEngine
from contractgen.request import parse_request

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/contractgen-generate.png"
COMPLETED = re.compile(r"Completed: \d+ sections")


def reference(company: str) -> str:
    return "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request({"company": company})))


def section_headings(text: str) -> list[str]:
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


def generate(page, url: str, company: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Company name *").fill(company)
    page.get_by_role("button", name="Generate").click()


def test_draft_streams_live_and_completes():
    company = "Acme Browser Test Ltd"
    headings = section_headings(reference(company))
    assert len(headings) == 15, headings

    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "600"}) as url, browser_page() as page:
        generate(page, url, company)
        main = page.get_by_test_id("stMain")
        completed = page.get_by_text(COMPLETED)

        lengths: list[int] = []
        deadline = time.monotonic() + 90
        while completed.count() == 0:
            assert time.monotonic() < deadline, f"no 'Completed' after 90 s; lengths seen: {lengths}"
            lengths.append(len(main.inner_text()))
            time.sleep(0.3)

        increases = sum(1 for a, b in zip(lengths, lengths[1:]) if b > a)
        assert increases >= 3, f"the draft did not visibly grow while streaming; lengths seen: {lengths}"

        assert "doc=" in page.url
        shown = [h.strip() for h in page.locator("[data-testid='stMain'] h2").all_inner_texts()]
        missing = [h for h in headings if h not in shown]
        assert not missing, f"section headings not rendered as headings: {missing}"
        text = main.inner_text()
        assert company in text
        assert "15 of 15 sections" in text
        expect(page.get_by_role("button", name="Download MD")).to_be_visible()

        page.set_viewport_size({"width": 1280, "height": 2000})
        page.get_by_text(COMPLETED).scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOT)


def test_markup_typed_in_a_field_is_shown_as_text_not_run():
    company = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "0"}) as url, browser_page() as page:
        generate(page, url, company)
        page.get_by_text(COMPLETED).wait_for(timeout=90_000)
        page.wait_for_timeout(500)  # give an injected onerror handler time to fire
        assert page.evaluate("window.__pwned") is None
        expect(page.get_by_test_id("stMain").get_by_text("<script>").first).to_be_visible()
        assert page.locator("[data-testid='stMain'] img[src='x']").count() == 0
