"""The History page in a real browser: a click on a row opens that draft, delete asks first, "New version"
goes to the Generate page with the draft's id in ?from= (that page fills its form from it)."""

import re

import pytest
from playwright.sync_api import expect

from browser import browser_page, streamlit_server
from contractgen.config import Settings
from contractgen.generation import GenerationManager, follow
from contractgen.request import parse_request
from contractgen.storage import Store

pytestmark = pytest.mark.browser


def _drafts(url: str, companies: list[str]) -> list[str]:
    store = Store(url)
    manager = GenerationManager(store)
    ids = []
    for company in companies:
        generation = manager.start(parse_request({"company": company}), Settings(provider="offline", rate=0))
        follow(generation, poll=0.05)
        generation.join(5)
        ids.append(generation.id)
    store.close()
    return ids


def _click_row(page, row: int) -> None:
    """Click the row's selection cell: the grid draws on a canvas, rows 35 px high under a 35 px header."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 * row + 17)


def test_a_row_click_opens_the_draft_and_delete_asks_first(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    older, newer = _drafts(url, ["Alpha-Widgets Ltd", "Beta Labs"])
    monkeypatch.setenv("CONTRACTGEN_DATABASE_URL", url)
    with streamlit_server() as base, browser_page(width=1440, height=900) as page:
        page.goto(f"{base}/history")
        main = page.get_by_test_id("stMain")
        heading = main.get_by_role("heading", level=3)
        expect(heading.first).to_have_text(re.compile("Beta Labs"), timeout=60_000)  # the newest, until a click
        _click_row(page, 1)  # newest first: row 1 is the older draft
        expect(heading.first).to_have_text(re.compile("Alpha-Widgets Ltd"), timeout=30_000)
        expect(main.get_by_test_id("stCaptionContainer").filter(has_text=older).first).to_be_visible()

        # Delete asks, and Cancel keeps the draft.
        main.get_by_role("button", name="Delete this draft…").click()
        expect(main.get_by_text("cannot be undone", exact=False)).to_be_visible()
        main.get_by_role("button", name="Cancel").click()
        expect(main.get_by_role("button", name="Delete this draft…")).to_be_visible()
        store = Store(url)
        assert store.get(older) is not None
        main.get_by_role("button", name="Delete this draft…").click()
        main.get_by_role("button", name="Yes, delete it").click()
        expect(heading.first).to_have_text(re.compile("Beta Labs"), timeout=30_000)
        assert store.get(older) is None and store.get(newer) is not None
        store.close()

        # New version: to the Generate page, the form to be filled from this draft's answers.
        main.get_by_role("button", name="New version (edit the answers)").click()
        page.wait_for_url(re.compile(rf"/generate\?from={newer}$|\?from={newer}$"), timeout=30_000)
        company = page.get_by_test_id("stMain").get_by_role("textbox", name=re.compile("Company name"))
        expect(company).to_have_value("Beta Labs", timeout=30_000)  # the form, filled from that draft
