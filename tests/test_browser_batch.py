"""The Batch page in a real browser: upload a sheet, see the report and the estimate, start, close the browser,
come back by the URL, and download the finished drafts."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from playwright.sync_api import expect

try:
    from browser import browser_page, streamlit_server
except ImportError:  # if tests/ ever becomes a package
    from tests.browser import browser_page, streamlit_server

from contractgen import batch

pytestmark = pytest.mark.browser

SHEET = "doc,company,counterparty\n" + "".join(f"nda,Browser Co {i},Partner {i}\n" for i in range(5)) + "nda,No Partner Inc,\n"


def test_upload_start_close_the_browser_come_back_and_download(tmp_path):
    sheet = tmp_path / "ndas.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    with streamlit_server(env_extra={"CONTRACTGEN_RATE": "1500"}) as url:
        with browser_page() as page:
            page.goto(f"{url}/batch")
            page.locator("input[type=file]").set_input_files(str(sheet))
            expect(page.get_by_text("1 of 6 row(s) have problems")).to_be_visible()
            expect(page.get_by_text(re.compile(r"Estimate: 5 draft\(s\), 5 call\(s\)"))).to_be_visible()
            start = page.get_by_role("button", name="Start")
            expect(start).to_be_disabled()  # an invalid row stops the batch until it is skipped on purpose
            page.get_by_text("Skip the 1 invalid row(s)").click()
            expect(start).to_be_enabled()
            start.click()
            page.wait_for_url(re.compile(r"batch=\w+"))
            batch_url = page.url
            expect(page.get_by_text(re.compile(r"\d/5 done, 0 failed, [1-4] running"))).to_be_visible(timeout=30_000)
        # The browser is closed while the drafts are written; the server goes on.
        time.sleep(1)
        with browser_page() as page:
            page.goto(batch_url)
            expect(page.get_by_text("5/5 done, 0 failed, 0 running, 0 waiting, 1 skipped")).to_be_visible(timeout=60_000)
            button = page.get_by_role("button", name="Download 5 draft(s) (zip)")
            expect(button).to_be_enabled()
            with page.expect_download() as download:
                button.click()
            data = open(download.value.path(), "rb").read()
            page.screenshot(path="/tmp/contractgen-batch.png", full_page=True)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == sorted([batch.export_name(i + 2, f"Browser Co {i}", "nda", "md") for i in range(5)]
                                   + ["summary.csv"])
    summary = zipfile.ZipFile(io.BytesIO(data)).read("summary.csv").decode()
    assert summary.count(",completed,") == 5 and "7,nda,No Partner Inc,,skipped" in summary
