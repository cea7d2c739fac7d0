"""The monitoring page in a real browser, as a product owner reads it: plain labels with units, the template
engine and a model never pooled, sensible time ticks, a definition on every figure. The screenshot is kept in
docs/screenshots/monitoring.png and shown in the README."""

import re
from pathlib import Path

import pytest

from browser import browser_page, streamlit_server
from contractgen import cli
from contractgen.server import OfflineServer
from contractgen.simulate import simulate
from contractgen.storage import Store

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "monitoring.png"
# What a product owner must never have to decode.
RAW = ("resume_success_rate", "timeout_rate", "created_at", "+00:00", "chars_per_second", "faults_", "cost_per_document",
       "server_error", "rate_limit", "ttft")


def _model_drafts(url: str, n: int) -> None:
    """Real drafts by a model: the openai client against the repo's offline server at a model-like pace."""
    server = OfflineServer(port=0, rate=800)
    server.start_in_thread()
    try:
        for i in range(n):
            assert cli.main(["generate", "--company", f"Lumen Robotics {i}", "--base-url", server.base_url,
                             "--api-key", "sk-test", "--model", "contractgen-offline", "--db", url, "--quiet",
                             "--out", "/dev/null"]) == 0
    finally:
        server.shutdown()
        server.server_close()


def _chart(page, title: str) -> dict:
    """The Plotly figure (layout and axes as drawn) whose title is `title`."""
    return page.evaluate("""title => {
        for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            const full = gd._fullLayout;
            if (!full || !full.title || full.title.text.replace(/<[^>]*>/g, '') !== title) continue;
            const axes = Object.keys(full).filter(k => /^xaxis\\d*$/.test(k)).sort();
            return {axes: axes.map(k => ({range: full[k].range, ticks: (full[k]._vals || []).map(v => v.text)})),
                    yaxes: Object.keys(full).filter(k => /^yaxis\\d*$/.test(k)).length};
        }
        return null;
    }""", title)


def test_monitoring_page_reads_without_a_glossary(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'monitoring.db'}"
    simulate(Store(url), 30, 0.4, ["stream", "chunks", "sections"], 7)  # template drafts at full speed
    _model_drafts(url, 2)
    monkeypatch.setenv("CONTRACTGEN_DATABASE_URL", url)
    with streamlit_server() as base, browser_page(width=1440, height=900) as page:
        page.goto(f"{base}/monitoring")
        page.get_by_text("Fault rate").first.wait_for(timeout=60_000)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 7", timeout=60_000)
        page.wait_for_timeout(1000)
        main = page.get_by_test_id("stMain")
        text = main.inner_text()
        for label in ("Fault rate", "Timeout rate", "Recovery rate", "Resume success", "Time to recover (median)",
                      "Cost per draft", "By engine", "Faults by kind", "Connection reset"):
            assert label in text, label
        # Data frames draw on a canvas: their headers are read from the grid's accessible cells.
        headers = " ".join(page.locator("[data-testid='stDataFrame'] [role='columnheader']").all_inner_texts())
        shown = text + " " + headers
        assert not [raw for raw in RAW if raw in shown], [raw for raw in RAW if raw in shown]
        # Every KPI has its one-line definition on hover.
        metrics = page.get_by_test_id("stMetric")
        assert metrics.count() == 10
        assert page.locator("[data-testid='stMetric'] [data-testid='stTooltipIcon']").count() == 10

        # Writing speed: the template engine and the model each on their own axis; the model's panel is not
        # stretched to the template engine's tens of thousands of characters a second.
        speed = _chart(page, "Writing speed, per engine")
        assert speed and len(speed["axes"]) == 2, speed
        tops = sorted(axis["range"][1] for axis in speed["axes"])
        assert tops[1] > 10 * tops[0], tops  # a shared axis would squash the model into its first bar
        # Cost: one measure, one axis (the template engine is free: said in words, not drawn as $0 bars).
        cost = _chart(page, "Estimated cost per draft")
        assert cost is not None or _chart(page, "Estimated cost per draft, by mode")["yaxes"] == 1
        # Faults over a month: a tick per few days, written as dates, never as times of day or milliseconds.
        faults = _chart(page, "Faults over time, by kind")
        ticks = [t for t in faults["axes"][0]["ticks"] if t]
        assert ticks and all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}", t) for t in ticks), ticks

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        # Streamlit scrolls inside its main block: a tall window shows the whole page in one picture.
        page.set_viewport_size({"width": 1440, "height": 3600})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
