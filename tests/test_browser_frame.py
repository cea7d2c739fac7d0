"""The frame app.py draws, in a real browser: every page's deep link on a freshly started server runs it,
and the settings chosen on one page are the ones the other pages use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser import browser_page, streamlit_server
from support import ROOT

pytestmark = pytest.mark.browser

# (url path, a heading only that page shows); Batch only once its page exists.
PAGES = [("", "Draft a legal document"), ("history", None), ("monitoring", "Monitoring")]
if (ROOT / "views" / "batch.py").exists():
    PAGES.append(("batch", None))
TITLES = ["Generate", "History", "Monitoring"] + (["Batch"] if (ROOT / "views" / "batch.py").exists() else [])


def nav_labels(page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    # Each link reads "icon name\n\nTitle": the title is its last line.
    return [t.strip().splitlines()[-1].strip() for t in nav.get_by_role("link").all_inner_texts()]


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=lambda v: v if isinstance(v, str) and "/" not in v else None)
def test_a_deep_link_on_a_fresh_server_runs_the_frame(path, heading):
    # A new server for each link, opened first: no earlier visit through app.py may have set anything up.
    with streamlit_server() as url, browser_page(1440, 900) as page:
        page.goto(f"{url}/{path}")
        sidebar = page.get_by_test_id("stSidebar")
        # app.py's frame ran: the settings sidebar is there...
        expect(sidebar.get_by_text("Engine", exact=True)).to_be_visible(timeout=60_000)
        expect(sidebar.get_by_text("Fault injection (demo)")).to_be_visible()
        # ...and the navigation is app.py's, not the legacy folder router's (app / generate / history / ...).
        assert nav_labels(page) == TITLES
        assert page.url.rstrip("/") == f"{url}/{path}".rstrip("/")
        if heading:
            expect(page.get_by_test_id("stMain").get_by_role("heading", name=heading)).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)


def test_settings_are_kept_across_pages_and_the_live_draft_comes_back():
    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "60"}) as url, browser_page(1440, 900) as page:
        page.goto(url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("OpenAI-compatible").click()
        model = sidebar.get_by_role("textbox", name="Model", exact=True)
        model.fill("my-chosen-model")
        model.press("Enter")
        resumes = sidebar.get_by_role("spinbutton", name="Resumes per run")
        resumes.fill("7")
        resumes.press("Enter")
        page.wait_for_timeout(1000)

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
        page.wait_for_url(re.compile(r"/history"))
        expect(sidebar.get_by_role("textbox", name="Model", exact=True)).to_have_value("my-chosen-model")
        expect(sidebar.get_by_role("spinbutton", name="Resumes per run")).to_have_value("7")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Monitoring").click()
        page.wait_for_url(re.compile(r"/monitoring"))
        expect(sidebar.get_by_role("textbox", name="Model", exact=True)).to_have_value("my-chosen-model")

        # Back to the offline engine (kept too), start a draft, leave through the sidebar and come back.
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Generate").click()
        expect(sidebar.get_by_role("textbox", name="Model", exact=True)).to_have_value("my-chosen-model")
        sidebar.get_by_text("Offline template engine").click()
        expect(sidebar.get_by_role("textbox", name="Model", exact=True)).to_have_count(0)  # the rerun is done
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
        page.get_by_role("textbox", name="Company name *").fill("Round Trip Co")
        page.get_by_role("button", name="Generate").click()
        page.wait_for_url(re.compile(r"doc=\w+"))
        doc = re.search(r"doc=(\w+)", page.url).group(1)
        page.get_by_text("Streaming...").wait_for()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
        page.wait_for_url(re.compile(r"/history"))
        expect(sidebar.get_by_role("spinbutton", name="Resumes per run")).to_have_value("7")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Generate").click()
        # The live draft, not an empty form: its id back in the URL, its text growing.
        page.wait_for_url(re.compile(rf"doc={doc}"))
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text(f"document {doc}")).to_be_visible()
        expect(main.get_by_text("Round Trip Co").first).to_be_visible()
        expect(main.get_by_text(re.compile(r"Streaming\.\.\.|Completed:"))).to_be_visible()
