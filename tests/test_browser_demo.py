"""The demo and drafting experience in a real browser: break a draft now and watch it recover on the
timeline, pause it and resume it after a server restart, open a new version prefilled with a draft's answers.

Saves docs/screenshots/generate-recovery.png (the Generate page mid-recovery), shown in the README."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from browser import browser_page, downloaded_markdown, streamlit_server
from contractgen.documents import NOT_LEGAL_ADVICE
from contractgen.request import parse_request
from contractgen.storage import Store
from support import ROOT, reference

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "screenshots" / "generate-recovery.png"
COMPLETED = re.compile(r"Completed: \d+ sections")


def start(page, url: str, company: str, **fields: str) -> str:
    page.goto(url)
    page.get_by_role("textbox", name="Company name *").fill(company)
    for name, value in fields.items():
        page.get_by_role("textbox", name=name).fill(value)
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"doc=\w+"))
    return re.search(r"doc=(\w+)", page.url).group(1)


def scroll_top(page) -> int:
    return page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop")


def words_in_bar(page) -> int | None:
    found = re.search(r"([\d,]+) words?", page.get_by_test_id("stProgress").first.inner_text())
    return int(found.group(1).replace(",", "")) if found else None


def stored_text(doc: str) -> str:
    store = Store(os.environ["CONTRACTGEN_DATABASE_URL"])
    try:
        return store.get(doc).text
    finally:
        store.close()


def test_break_it_now_shows_what_broke_and_how_it_recovered(tmp_path):
    company = "Demo Stage Co"
    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "120"}) as url, browser_page(1440, 900) as page:
        doc = start(page, url, company)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text(NOT_LEGAL_ADVICE)).to_be_visible()
        page.get_by_text("Streaming...").wait_for()

        # The page follows the newest text, and the word count moves with it.
        tops, counts = [], []
        for _ in range(12):
            tops.append(scroll_top(page))
            counts.append(words_in_bar(page))
            page.wait_for_timeout(400)
        assert tops[-1] > tops[0] and tops[-1] > 300, f"the page did not follow the text: {tops}"
        assert counts[-1] and counts[-1] > 100 and counts[-1] > counts[0], f"word count while streaming: {counts}"

        # Off: the page stays where the person put it (here the top, where the timeline is).
        main.get_by_text("Follow the text").click()
        page.wait_for_timeout(800)
        page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop = 0")
        page.wait_for_timeout(1000)
        assert scroll_top(page) < 50

        timeline = main.locator("[data-testid='stVerticalBlock']").filter(has_text="Recovery timeline").last
        main.get_by_role("button", name="Reset", exact=True).click()
        expect(timeline.get_by_text(re.compile(r"1\. connection reset"))).to_be_visible()
        expect(timeline.get_by_text(re.compile(r"text flowing again after \d+\.\d s · automatic"))).to_be_visible()
        expect(page.get_by_test_id("stToast").filter(has_text="Recovered from the connection reset")).to_have_count(1)

        # A 429 waits for its Retry-After: the status line says it resumes, the timeline shows it under way.
        main.get_by_role("button", name="429", exact=True).click()
        page.mouse.move(700, 890)  # no tooltip over the picture
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        resuming = main.get_by_text("Resuming generation...")
        resuming.wait_for(timeout=20_000)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        expect(timeline.get_by_text(re.compile(r"2\. rate limit \(429\)"))).to_be_visible()
        expect(main.get_by_text(re.compile(r"⚠️ 2 faults handled: 1 connection reset, 1 rate limit \(429\)"))).to_be_visible()

        page.get_by_text(COMPLETED).wait_for(timeout=120_000)
        final_words = int(re.search(r"Completed: \d+ sections, ([\d,]+) words", main.inner_text()).group(1).replace(",", ""))
        assert words_in_bar(page) == final_words
        # Recovered with no seam: the stored draft is the uninterrupted one, and so is the download's body.
        full = reference(parse_request({"company": company}))
        assert stored_text(doc) == full
        assert downloaded_markdown(page, tmp_path).startswith(full)

        # Kept after completion, from the store: a fresh page shows the same timeline, and the seams.
        page.reload()
        page.get_by_text(COMPLETED).wait_for()
        expect(timeline.get_by_text("text flowing again after")).to_have_count(2)
        main.get_by_text("Show seams").click()
        expect(main.get_by_text(re.compile(r"seam 1: continued in place"))).to_be_visible()
        expect(main.get_by_text(re.compile(r"seam 2: continued in place"))).to_be_visible()
    assert SCREENSHOT.stat().st_size > 10_000


def test_pause_survives_a_server_restart_and_resumes_where_it_stopped(tmp_path):
    company = "Pause Restart Co"
    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "100"}) as url, browser_page(1440, 900) as page:
        doc = start(page, url, company)
        page.get_by_text("Streaming...").wait_for()
        page.wait_for_timeout(2500)
        page.get_by_test_id("stMain").get_by_role("button", name="Pause").click()
        page.get_by_text("Paused at").wait_for(timeout=30_000)
    store = Store(os.environ["CONTRACTGEN_DATABASE_URL"])
    paused = store.get(doc)
    assert paused.status == "paused" and 0 < paused.length < len(reference(parse_request({"company": company})))
    # A clean point: the end of a sentence or a paragraph, not the middle of a word.
    assert re.search(r"[.!?:;]\s*$|\n$", paused.text), paused.text[-80:]

    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "0"}) as url, browser_page(1440, 900) as page:
        page.goto(f"{url}/?doc={doc}")
        # The restarted app did not take the paused draft over as dead: still paused, waiting for a person.
        page.get_by_text("Paused at").wait_for(timeout=60_000)
        assert store.get(doc).status == "paused"
        page.get_by_role("button", name="🔄 Resume Generation").click()
        page.get_by_text(COMPLETED).wait_for(timeout=120_000)
        full = reference(parse_request({"company": company}))
        assert downloaded_markdown(page, tmp_path).startswith(full)
    assert store.get(doc).text == full  # paused and resumed with no seam
    store.close()


def test_new_version_opens_the_form_prefilled_and_long_answers_are_refused_not_cut():
    company, website = "Lumen Robotics", "https://lumen-robotics.example"
    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "0"}) as url, browser_page(1440, 900) as page:
        page.goto(url)
        name = page.get_by_role("textbox", name="Company name *")
        expect(name).to_have_attribute("placeholder", "Up to 120 characters.")  # the limit, before typing
        long_name = "Lumen Robotics " * 33 + "Ltd"  # 498 characters, pasted at once
        name.fill(long_name)
        assert len(name.input_value()) == len(long_name), "a long paste was cut by the input box"
        page.get_by_role("button", name="Generate").click()
        expect(page.get_by_text(f"Company name is {len(long_name)} characters long; the limit is 120.")).to_be_visible()
        assert "doc=" not in page.url

        first = start(page, url, company, Website=website)
        page.get_by_text(COMPLETED).wait_for(timeout=120_000)

        page.goto(f"{url}/?from={first}")
        expect(page.get_by_role("textbox", name="Company name *")).to_have_value(company)
        expect(page.get_by_role("textbox", name="Website")).to_have_value(website)
        page.get_by_role("textbox", name="Company name *").fill("Lumen Robotics Europe")
        page.get_by_role("button", name="Generate").click()
        page.wait_for_url(re.compile(r"doc=\w+"))
        second = re.search(r"doc=(\w+)", page.url).group(1)
        page.get_by_text(COMPLETED).wait_for(timeout=120_000)
        assert "from=" not in page.url
    store = Store(os.environ["CONTRACTGEN_DATABASE_URL"])
    version = store.get(second)
    assert second != first and version.parent_id == first
    assert version.request["company"] == "Lumen Robotics Europe" and version.request["website"] == website
    store.close()
