"""The monitoring page in a real browser: KPIs and plotly charts drawn (screenshot kept for people to look at)."""

import pytest

from browser import browser_page, streamlit_server
from contractgen.simulate import simulate
from contractgen.storage import Store

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/contractgen-monitoring.png"


def test_monitoring_page_draws_its_charts(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'monitoring.db'}"
    simulate(Store(url), 30, 0.4, ["stream", "chunks", "sections"], 7)
    monkeypatch.setenv("CONTRACTGEN_DATABASE_URL", url)
    with streamlit_server() as base, browser_page(width=1400, height=2200) as page:
        page.goto(f"{base}/monitoring")
        page.get_by_text("Timeout rate").first.wait_for(timeout=60_000)
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 6", timeout=60_000)
        assert page.locator(".js-plotly-plot").count() >= 6
        # Bars were drawn, not just empty axes.
        assert page.locator(".js-plotly-plot .bars path, .js-plotly-plot .barlayer path").count() > 0
        page.screenshot(path=SCREENSHOT, full_page=True)
