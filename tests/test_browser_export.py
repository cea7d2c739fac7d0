"""The HTML export opened in a real browser: nothing runs, nothing loads, the document reads well."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

try:
    from browser import browser_page
    from test_export import MALICIOUS, MALICIOUS_INFO, text_headings
except ImportError:  # if tests/ ever becomes a package
    from tests.browser import browser_page
    from tests.test_export import MALICIOUS, MALICIOUS_INFO, text_headings

from contractgen.export import export, to_html

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/contractgen-export.png"


def open_page(page, path):
    """Load a file; return the URLs answered beyond it (an export loads nothing), the requests that failed (and
    why), the dialogs opened, and the Content-Security-Policy violations the page reported."""
    loaded, failed, dialogs = [], [], []
    page.on("response", lambda response: loaded.append(response.url) if response.url != path.as_uri() else None)
    page.on("requestfailed", lambda request: failed.append((request.url, request.failure)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # Init scripts run through the DevTools protocol, outside the page's CSP: they observe, they are not the page.
    page.add_init_script("document.addEventListener('securitypolicyviolation', "
                         "e => (window.__violations ||= []).push(e.effectiveDirective + ' ' + e.blockedURI))")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # time for anything deferred (onload, onerror of a broken image) to fire
    return loaded, failed, dialogs


def violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def test_export_runs_nothing_in_a_real_browser(tmp_path):
    path = tmp_path / "export.html"
    path.write_bytes(export(MALICIOUS, MALICIOUS_INFO, "html"))
    with browser_page(width=1100, height=900) as page:
        loaded, failed, dialogs = open_page(page, path)
        # Hover and click everything a payload could hang on.
        for link in page.locator("a").all():
            link.hover()
        page.get_by_text("a clickable paragraph").click()
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert loaded == [] and failed == [] and dialogs == []
        assert violations(page) == []  # nothing even tried: the sanitizer left nothing for the CSP to stop
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('iframe, svg, img, object, embed').length") == 0

        expect(page).to_have_title(MALICIOUS_INFO.title)
        expect(page.locator("h1")).to_have_text('Services Agreement <script>window.__pwned = "title"</script>')
        expected = text_headings(MALICIOUS)
        shown = page.locator("h2, h3")
        expect(shown).to_have_text([text for _, text in expected])
        assert [shown.nth(i).evaluate("e => e.tagName.toLowerCase()") for i in range(shown.count())] == \
            [level for level, _ in expected]
        for i in range(shown.count()):
            expect(shown.nth(i)).to_be_visible()
        # The payloads are there to read, as text.
        expect(page.get_by_text("<script>window.__pwned = 1</script>", exact=False)).to_be_visible()
        info = page.locator("aside.export-info")
        expect(info).to_be_visible()
        expect(info).to_contain_text("2026-09-21 14:13:20 UTC")
        expect(info).to_contain_text('"><script>window.__pwned=13</script>')
        expect(info).to_contain_text("gpt-4o-mini via api.openai.com, chunks mode")
        page.screenshot(path=SCREENSHOT, full_page=True)


def test_csp_stops_a_script_even_if_the_sanitizer_missed_it(tmp_path):
    """Defence in depth: inject live payloads into the exported page, as a sanitizer miss would."""
    page_html = to_html("# Title\n\n## 1. Scope\n\nText.\n", MALICIOUS_INFO)
    injected = ('<script>window.__pwned = 1</script>'
                '<img src="data:," onerror="window.__pwned = 2" alt="">'
                '<img src="http://127.0.0.1:9/beacon.png" alt="">'
                '<svg onload="window.__pwned = 3"></svg>'
                '<a id="evil" href="javascript:window.__pwned = 4">evil</a>')
    path = tmp_path / "missed.html"
    path.write_text(page_html.replace("<p>Text.</p>", "<p>Text.</p>" + injected), encoding="utf-8")
    with browser_page() as page:
        loaded, failed, dialogs = open_page(page, path)
        page.locator("#evil").click()
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert loaded == [] and dialogs == []
        assert failed == [("http://127.0.0.1:9/beacon.png", "csp")]  # blocked by the policy, not by the network
        seen = violations(page)
        for directive in ("script-src-elem", "script-src-attr", "img-src"):
            assert any(v.startswith(directive) for v in seen), (directive, seen)
        expect(page.locator("h2")).to_have_text("1. Scope")


def test_a_hyphenated_website_is_exact_in_every_download_from_history(tmp_path, monkeypatch):
    """Issue 12: `https://lumen-robotics.example` was exported as `lumen\\-robotics` and linked to `%5C-`. Drafted,
    downloaded from the History page in a real browser in every format, and the HTML opened: exact everywhere."""
    import io
    import re

    import docx

    from browser import streamlit_server
    from contractgen.config import Settings
    from contractgen.documents import NOT_LEGAL_ADVICE
    from contractgen.generation import GenerationManager, follow
    from contractgen.request import parse_request
    from contractgen.storage import Store

    url = f"sqlite:///{tmp_path / 'export.db'}"
    store = Store(url)
    answers = {"doc_type": "privacy", "company": "Lumen-Robotics GmbH", "website": "https://lumen-robotics.example",
               "contact_email": "legal@lumen-robotics.example", "dpo_email": "dpo@lumen-robotics.example"}
    generation = GenerationManager(store).start(parse_request(answers), Settings(provider="offline", rate=0))
    follow(generation, poll=0.05)
    generation.join(5)
    store.close()
    monkeypatch.setenv("CONTRACTGEN_DATABASE_URL", url)
    with streamlit_server() as base, browser_page(width=1440, height=900) as page:
        page.goto(f"{base}/history")
        files = {}
        for fmt in ("MD", "HTML", "DOCX"):
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=f"Download {fmt}").click()
            download = info.value
            assert download.suggested_filename == f"lumen-robotics-gmbh-privacy-policy-{generation.id}.{fmt.lower()}"
            path = tmp_path / download.suggested_filename
            download.save_as(path)
            files[fmt] = path

    md = files["MD"].read_text(encoding="utf-8")
    assert "https://lumen-robotics.example" in md and "legal@lumen-robotics.example" in md
    assert "\\" not in md and "Lumen-Robotics GmbH" in md
    assert md.rstrip().endswith(f"*{NOT_LEGAL_ADVICE}*")

    word = docx.Document(io.BytesIO(files["DOCX"].read_bytes()))
    assert ("https://lumen-robotics.example", "https://lumen-robotics.example") in {
        (h.address, h.text) for p in word.paragraphs for h in p.hyperlinks}  # a real link in Word, exact
    words = " ".join(p.text for p in word.paragraphs)
    assert "https://lumen-robotics.example" in words and "\\" not in words and "%5C" not in words
    assert words.rstrip().endswith(NOT_LEGAL_ADVICE)

    with browser_page(width=1100, height=900) as page:
        page.goto(files["HTML"].as_uri())
        links = page.locator("article a")
        hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert hrefs == {"https://lumen-robotics.example", "mailto:legal@lumen-robotics.example",
                         "mailto:dpo@lumen-robotics.example"}, hrefs
        website = page.locator("article a[href='https://lumen-robotics.example']").first
        expect(website).to_have_text("https://lumen-robotics.example")
        # Where the browser would go: the URL as resolved, not a %5C- domain.
        assert website.evaluate("a => a.href") == "https://lumen-robotics.example/"
        assert "%5C" not in page.content() and not re.search(r"lumen\\\\-", page.content())
        expect(page.locator(".legal-notice")).to_have_text(NOT_LEGAL_ADVICE)
