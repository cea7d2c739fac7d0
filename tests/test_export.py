"""Exports: Markdown as stored, HTML that cannot run anything, DOCX with real headings and plain text."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

import docx
import pytest
from markdown_it import MarkdownIt

from contractgen.errors import InputError
from contractgen.documents import NOT_LEGAL_ADVICE
from contractgen.export import (CSP, FORMATS, ExportInfo, export, filename, info_for, iso_date, markdown_ending,
                                render_body, sanitize_html, to_docx, to_html, to_markdown)
from contractgen.offline import LABEL, OfflineEngine
from contractgen.request import parse_request
from contractgen.storage import Store

# Every payload sets window.__pwned, so the browser test can prove none of them ran.
MALICIOUS = """# Services Agreement <script>window.__pwned = "title"</script>

This agreement is made between **Acme Ltd** and *you*. <script>window.__pwned = 1</script>

## 1. Definitions <img src=x onerror="window.__pwned = 2">

### 1.1 Links

See [our site](https://example.com/terms) and [click here](javascript:window.__pwned=3) or
<a href="javascript:window.__pwned=4">this link</a> or <javascript:window.__pwned=8> or
[encoded](jav&#x61;script:window.__pwned=9) or [a reference][evil] or
[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xMjwvc2NyaXB0Pg==).

[evil]: JAVASCRIPT:window.__pwned=10

### 1.2 Markup <svg onload="window.__pwned=5">

<svg onload="window.__pwned=5"><circle r="5"/></svg> and <p onclick="window.__pwned=6">a clickable paragraph</p>.

<iframe src="javascript:window.__pwned=7"></iframe>

## 2. Term

### 2.1 Duration

The agreement lasts one year. [Contact](https://example.com/contact "x\\" onmouseover=\\"window.__pwned=11")
"""

MALICIOUS_INFO = ExportInfo(
    document_id='"><script>window.__pwned=13</script>',
    title='Services Agreement <script>window.__pwned="info"</script>',
    generated_at=1_790_000_000.0,
    method='gpt-4o-mini via api.openai.com, chunks mode <img src=x onerror="window.__pwned=14">',
    model="gpt-4o-mini<svg onload=window.__pwned=15>",
    status="completed",
)

# What must never be live markup in an exported page.
DANGEROUS = ("<script", "javascript:", "onerror", "onload", "onclick", "onmouseover", "<iframe", "<svg", "<img",
             "data:text")


def info(**changes) -> ExportInfo:
    values = dict(document_id="4f2a9c1e0b7d", title="Terms of Service", generated_at=1_790_000_000.0,
                  method=f"{LABEL}, stream mode", model="contractgen-offline", status="completed")
    return ExportInfo(**{**values, **changes})


def offline_text(company: str = "Acme") -> str:
    return "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request({"company": company})))


def headings(text: str, marker: str) -> list[str]:
    return [line[len(marker):].strip() for line in text.splitlines() if line.startswith(marker)]


def html_headings(page: str) -> list[tuple[str, str]]:
    return [(f"h{level}", html.unescape(inner)) for level, inner in re.findall(r"<h([23])>(.*?)</h\1>", page)]


def text_headings(text: str) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        if line.startswith("### "):
            found.append(("h3", line[4:].strip()))
        elif line.startswith("## "):
            found.append(("h2", line[3:].strip()))
    return found


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


# --- HTML --------------------------------------------------------------------------------------

def test_html_keeps_no_live_payload_and_shows_it_as_text():
    page = to_html(MALICIOUS, MALICIOUS_INFO)
    lowered = page.lower()
    for tag in ("<script", "<iframe", "<svg", "<img", "<object", "<embed"):
        assert tag not in lowered
    # Text is html-escaped, so every "<" left in the page opens real markup: none of it may carry a payload
    # (attribute values are quoted with their quotes escaped; a link title may hold any text, inertly).
    for markup in re.findall(r"<[^>]*>", page):
        bare = re.sub(r'\btitle="[^"]*"', "", markup).lower()
        for needle in DANGEROUS:
            assert needle not in bare, markup
    tags = parsed(page)
    for tag, attrs in tags.tags:
        assert tag not in ("script", "iframe", "svg", "img", "object", "embed", "base", "form", "link")
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action", "formaction"):
                assert re.match(r"(https?:|mailto:)", value or ""), (tag, name, value)
    hrefs = [value for tag, attrs in tags.tags if tag == "a" for name, value in attrs if name == "href"]
    assert hrefs == ["https://example.com/terms", "https://example.com/contact"]
    assert all(('rel', 'noopener noreferrer nofollow') in attrs for tag, attrs in tags.tags if tag == "a")
    # ...while what the model wrote survives as visible text.
    visible = "".join(tags.text)
    for piece in ("Acme Ltd", "this link", "a clickable paragraph", "The agreement lasts one year.",
                  "<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">',
                  "[click here](javascript:window.__pwned=3)", '<iframe src="javascript:window.__pwned=7"></iframe>',
                  '<p onclick="window.__pwned=6">'):
        assert piece in visible, piece
    assert "<strong>Acme Ltd</strong>" in page and "<em>you</em>" in page
    assert ">Contact</a>" in page and ">our site</a>" in page
    assert '<title>Services Agreement &lt;script&gt;window.__pwned=&quot;info&quot;&lt;/script&gt;</title>' in page


def test_sanitizer_removes_live_markup_entirely():
    """Defence in depth: even real HTML reaching the sanitizer leaves no payload, not even as text."""
    raw = ('<p>Keep <strong>this</strong> and <a href="https://example.com" onclick="window.__pwned=1">that</a>.</p>'
           '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">'
           '<a href="javascript:window.__pwned=4">y</a><a href=" JaVaScRiPt:window.__pwned=5">z</a>'
           '<svg onload="window.__pwned=6"><circle r="5"/></svg><p onclick="window.__pwned=7">clickable</p>'
           '<iframe src="javascript:window.__pwned=8"></iframe><style>body{display:none}</style>'
           '<object data="javascript:window.__pwned=9"></object><math><mi>x</mi></math>'
           '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a><form action="https://evil.example"><button>b</button></form>'
           '<table><tr><th style="text-align:right;background:url(javascript:x)">h</th>'
           '<td style="text-align:center">c</td></tr></table>')
    clean = sanitize_html(raw)
    lowered = clean.lower()
    for needle in DANGEROUS + ("<style", "<object", "<math", "<form", "display:none", "__pwned", "background"):
        assert needle not in lowered, needle
    for kept in ("Keep <strong>this</strong>", "clickable", ">y</a>", ">z</a>", ">d</a>", '<td style="text-align:center">c</td>'):
        assert kept in clean, kept
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">that</a>' in clean


def test_html_info_block_has_date_id_method_model_status():
    record_info = info(document_id="9b1e6f0c2d4a", method="gpt-4o-mini via api.openai.com, chunks mode",
                       model="gpt-4o-mini")
    page = to_html(offline_text(), record_info)
    aside = page[page.index("<aside"):page.index("</aside>")]
    assert iso_date(record_info) == "2026-09-21T14:13:20Z"
    for expected in ('datetime="2026-09-21T14:13:20Z"', "2026-09-21 14:13:20 UTC", "9b1e6f0c2d4a",
                     "gpt-4o-mini via api.openai.com, chunks mode", "gpt-4o-mini", "completed"):
        assert expected in aside, expected
    for label in ("Generated", "Document ID", "Method", "Model", "Status"):
        assert f"<dt>{label}</dt>" in aside

    escaped = to_html(MALICIOUS, MALICIOUS_INFO)
    aside = escaped[escaped.index("<aside"):escaped.index("</aside>")]
    assert "&quot;&gt;&lt;script&gt;window.__pwned=13&lt;/script&gt;" in aside
    assert "chunks mode &lt;img src=x onerror=&quot;window.__pwned=14&quot;&gt;" in aside
    assert "gpt-4o-mini&lt;svg onload=window.__pwned=15&gt;" in aside


def test_html_headings_are_h2_h3_in_document_order():
    text = offline_text()
    page = to_html(text, info())
    assert html_headings(page) == text_headings(text)
    assert len(re.findall(r"<h2>", page)) == len(headings(text, "## ")) > 3
    assert page.count("<h1>") == 1 and "<h1>Terms of Service</h1>" in page
    assert html_headings(to_html(MALICIOUS, MALICIOUS_INFO)) == text_headings(MALICIOUS)


def test_html_is_a_standalone_page_with_a_script_free_csp():
    page = to_html(offline_text(), info())
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    head = page[:page.index("</head>")]
    assert '<meta charset="utf-8">' in head
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head)
    assert csp and csp.group(1) == CSP
    assert "default-src 'none'" in CSP and "style-src 'unsafe-inline'" in CSP and "img-src data:" in CSP
    assert "script-src" not in CSP
    # A policy only covers what follows it: it comes right after the charset, before title and style.
    assert head.index("Content-Security-Policy") < head.index("<title>") < head.index("<style>")
    for rule in ("@media print", "max-width: 48rem", "serif"):
        assert rule in head
    assert page.rstrip().endswith("</html>")
    assert "draft-note" not in page.split("</style>")[1]


def test_html_marks_an_unfinished_draft():
    text = offline_text()[:5000]
    page = to_html(text, info(status="interrupted"))
    assert "interrupted (incomplete draft)" in page
    assert '<p class="draft-note" role="note">Incomplete draft' in page


# --- Markdown ----------------------------------------------------------------------------------

NOTICE = "*" + NOT_LEGAL_ADVICE + "*\n"


@pytest.mark.parametrize("text", [offline_text(), MALICIOUS, "", "no newline at end", "```\ncode left open"])
def test_markdown_of_a_completed_document_is_the_text_then_the_notice(text):
    out = to_markdown(text, info())
    assert out.startswith(text) and out.endswith(NOTICE)
    assert export(text, info(), "md") == out.encode("utf-8")
    assert out == text + markdown_ending(text, info())  # what the CLI appends after streaming the text
    # The notice is its own italic paragraph, after everything, whatever the text left open.
    rendered = MarkdownIt("commonmark").render(out)
    assert rendered.rstrip().endswith(f"<p><em>{html.escape(NOT_LEGAL_ADVICE, quote=False)}</em></p>")


@pytest.mark.parametrize("text", [offline_text()[:4321], "ends **inside bold", "- a list item\n", "",
                                  "text\n\n```python\ncode cut off", "~~~~\n```\nstill code"])
def test_markdown_of_a_draft_appends_an_italic_note(text):
    out = to_markdown(text, info(status="interrupted"))
    assert out.startswith(text)
    assert out == text + markdown_ending(text, info(status="interrupted"))
    assert out.endswith(NOTICE)
    out = out.removesuffix(NOTICE).rstrip("\n-").rstrip()  # the notice after the draft note: see above
    assert out.endswith("*Incomplete draft: generation did not finish (status: interrupted). "
                        "Sections may be missing or cut off.*")
    # The note is its own paragraph, in italics, whatever state the cut left the Markdown in.
    rendered = MarkdownIt("commonmark").render(out + "\n")
    assert rendered.rstrip().endswith("<p><em>Incomplete draft: generation did not finish (status: interrupted). "
                                      "Sections may be missing or cut off.</em></p>")


# --- DOCX --------------------------------------------------------------------------------------

def read_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_docx_has_real_headings_in_order():
    text = offline_text()
    document = read_docx(to_docx(text, info()))
    assert styled(document, "Title") == ["Terms of Service"]
    assert document.paragraphs[0].style.name == "Title"
    assert styled(document, "Heading 1") == headings(text, "## ")
    assert styled(document, "Heading 2") == headings(text, "### ")
    assert len(styled(document, "Heading 1")) > 3
    info_line = document.paragraphs[1]
    assert "2026-09-21 14:13:20 UTC" in info_line.text and "4f2a9c1e0b7d" in info_line.text
    assert LABEL in info_line.text and "contractgen-offline" in info_line.text
    assert info_line.runs[0].font.size.pt < 10 and str(info_line.runs[0].font.color.rgb) == "666666"
    bullets = styled(document, "List Bullet")
    assert bullets and bullets[0].startswith("you are not located in a country")
    assert not any(p.startswith("- ") for p in (p.text for p in document.paragraphs))
    props = document.core_properties
    assert props.title == "Terms of Service" and props.author == "contractgen" and "4f2a9c1e0b7d" in props.comments


def test_docx_unescapes_markdown_into_plain_text_and_runs():
    text = "# T\n\n**Effective date:** 1 May\n\nMade by \\<Acme & \\*Co\\*\\> here.\n"
    document = read_docx(to_docx(text, info()))
    paragraphs = [p.text for p in document.paragraphs]
    assert any("<Acme & *Co*>" in p for p in paragraphs)  # escaped in the Markdown, literal in Word
    assert not any("\\" in p or "**" in p for p in paragraphs)
    effective = next(p for p in document.paragraphs if p.text.startswith("Effective date:"))
    assert effective.runs[0].text == "Effective date:" and effective.runs[0].bold
    assert not effective.runs[1].bold
    company = next(p for p in document.paragraphs if "<Acme & *Co*>" in p.text)
    assert not any(run.italic or run.bold for run in company.runs)


# --- Answers as typed (issue 12 item 6) ---------------------------------------------------------

HYPHENATED = {"company": "Lumen-Robotics GmbH", "website": "https://lumen-robotics.example",
              "contact_email": "legal@lumen-robotics.example"}


@pytest.mark.parametrize("doc_type", ["tos", "privacy", "nda", "saas"])
def test_answers_are_stored_as_typed_and_link_where_they_say_in_every_export(doc_type):
    answers = {**HYPHENATED, "doc_type": doc_type, **({"counterparty": "Beta-Gamma LLC"} if doc_type == "nda" else {})}
    text = "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request(answers), ""))
    assert "\\" not in text  # no backslash escape anywhere: the offline engine writes answers verbatim
    assert "Lumen-Robotics GmbH" in text
    assert "lumen-robotics.example" in text
    md = export(text, info(), "md").decode()
    assert "\\-" not in md and "Lumen-Robotics GmbH" in md
    page = export(text, info(), "html").decode()
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    assert hrefs and hrefs <= {"https://lumen-robotics.example", "mailto:legal@lumen-robotics.example"}, hrefs
    assert "%5C" not in page and "\\-" not in page
    document = read_docx(export(text, info(), "docx"))
    paragraphs = " ".join(p.text for p in document.paragraphs)
    assert "\\" not in paragraphs and "Lumen-Robotics GmbH" in paragraphs
    assert "lumen-robotics.example" in paragraphs and "%5C" not in paragraphs
    # Clickable in Word too, to exactly the address shown.
    links = {(h.address, h.text) for p in document.paragraphs for h in p.hyperlinks}
    assert links and all(text in (address, address.removeprefix("mailto:")) for address, text in links), links
    assert {address for address, _ in links} <= {"https://lumen-robotics.example", "mailto:legal@lumen-robotics.example"}


def test_bare_addresses_become_links_but_not_their_sentence_punctuation():
    body = render_body("See https://a-b.example/x_(y). Or (https://c.example), mail a.b-c@d-e.example. "
                       "[named](https://f.example) and `https://code.example` stay as they are.\n")
    assert re.findall(r'href="([^"]+)"', body) == ["https://a-b.example/x_(y)", "https://c.example",
                                                   "mailto:a.b-c@d-e.example", "https://f.example"]
    assert "<code>https://code.example</code>" in body


def test_a_company_that_looks_like_a_heading_does_not_become_a_section():
    from contractgen.structure import parse

    def sections(company):
        request = parse_request({"doc_type": "privacy", "company": company})
        text = "".join(d.text for d in OfflineEngine(rate=0).stream(request, ""))
        return text, [s.title for s in parse(text).sections]

    text, titles = sections("## 5. Fees")
    assert titles == sections("Acme")[1]
    assert "\n\\## 5. Fees is responsible" in text  # the one escape: a paragraph cannot open with a heading mark


def test_every_export_ends_with_the_not_legal_advice_notice():
    text = offline_text()
    for status in ("completed", "interrupted"):
        assert to_markdown(text, info(status=status)).rstrip().endswith(NOT_LEGAL_ADVICE + "*")
        page = to_html(text, info(status=status))
        assert page.index(f'<p class="legal-notice" role="note">{html.escape(NOT_LEGAL_ADVICE)}</p>') > page.index("</article>")
        assert [p.text for p in read_docx(to_docx(text, info(status=status))).paragraphs][-1] == NOT_LEGAL_ADVICE


def test_docx_inline_formatting_lists_and_links():
    text = ("# Notes\n\n## 1. Rules\n\n### 1.1 Style\n\nPlain **bold** and *italic* and ***both*** and `code`, "
            "\\*not italic\\* \\<tag\\> \\\\ \\_x\\_ &amp; [site](https://example.com) and [x](javascript:alert(1)).\n\n"
            "- first **item**\n- second\n  - nested\n\n3. three\n4. four\n\n> quoted\n\n"
            "| A | B |\n|---|---|\n| **1** | 2 |\n\n<b>raw</b>\n")
    document = read_docx(to_docx(text, info(title="Notes")))
    assert styled(document, "Title") == ["Notes"]
    assert styled(document, "Heading 1") == ["1. Rules"] and styled(document, "Heading 2") == ["1.1 Style"]
    body = next(p for p in document.paragraphs if p.text.startswith("Plain"))
    assert body.text == ("Plain bold and italic and both and code, *not italic* <tag> \\ _x_ & site "
                         "(https://example.com) and [x](javascript:alert(1)).")
    runs = {run.text: run for run in body.runs}
    assert runs["bold"].bold and not runs["bold"].italic
    assert runs["italic"].italic and not runs["italic"].bold
    assert runs["both"].bold and runs["both"].italic
    assert runs["code"].font.name == "Consolas"
    assert not any(r.italic for r in body.runs if "not italic" in r.text)
    assert styled(document, "List Bullet") == ["first item", "second"]
    assert styled(document, "List Bullet 2") == ["nested"]
    assert styled(document, "List") == ["3.\tthree", "4.\tfour"]
    assert styled(document, "Quote") == ["quoted"]
    table = document.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [["A", "B"], ["1", "2"]]
    assert any("<b>raw</b>" == p for p in (p.text for p in document.paragraphs))


def test_docx_survives_anything_a_model_writes():
    text = MALICIOUS + "\nControl \x00\x01\x0b\x0c characters\ufffe and a\ttab.\n"
    document = read_docx(to_docx(text, MALICIOUS_INFO))
    assert styled(document, "Title") == [MALICIOUS_INFO.title]
    assert any("<script>window.__pwned = 1</script>" in p.text for p in document.paragraphs)
    control = next(p.text for p in document.paragraphs if p.text.startswith("Control"))
    assert control.endswith(" characters and a\ttab.")  # NUL shows as U+FFFD (CommonMark); XML-invalid ones go
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", control)
    assert MALICIOUS_INFO.document_id in document.core_properties.comments


def test_docx_marks_an_unfinished_draft():
    document = read_docx(to_docx(offline_text()[:3000], info(status="failed")))
    assert document.paragraphs[-2].text.startswith("Incomplete draft")  # then the notice
    assert document.paragraphs[-1].runs[0].italic
    assert "failed (incomplete draft)" in document.paragraphs[1].text


# --- Dispatch, names, info ---------------------------------------------------------------------

def test_export_dispatches_every_format():
    text = offline_text()
    assert set(FORMATS) == {"md", "html", "docx"}
    assert export(text, info(), "html").decode("utf-8") == to_html(text, info())
    assert export(text, info(), "docx")[:2] == b"PK"
    assert FORMATS["docx"] == ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")


@pytest.mark.parametrize("fmt", ["pdf", "", "../md", "exe"])
def test_unknown_format_is_an_input_error(fmt):
    with pytest.raises(InputError, match="Unknown export format") as caught:
        export("# T\n", info(), fmt)
    assert "md, html, docx" in str(caught.value)
    with pytest.raises(InputError):
        filename(info(), fmt)


def test_filename_is_a_safe_slug_with_the_id():
    assert filename(info(), "docx") == "terms-of-service-4f2a9c1e0b7d.docx"
    named = ExportInfo(**{**info().__dict__, "company": "Lumen Robotics GmbH", "kind": "Privacy Policy"})
    assert filename(named, "html") == "lumen-robotics-gmbh-privacy-policy-4f2a9c1e0b7d.html"
    name = filename(info(title="../../etc/Política <script> \u00c9t\u00e9", document_id="a/b\\c"), "html")
    assert name == "etc-politica-script-ete-a-b-c.html"
    assert filename(info(title="\u6761\u6b3e", document_id=""), "md") == "document.md"


def test_info_for_a_stored_document(database_url):
    store = Store(database_url)
    try:
        label = "gpt-4o-mini via api.openai.com"
        store.create_document(id="d1", doc_type="tos", request={"company": "Acme"}, provider="openai",
                              model="gpt-4o-mini", mode="chunks", settings={"label": label}, now=100.0)
        store.append_text("d1", "# Terms of Service for \\<Acme\\> #\n\n## 1. Scope\n", now=101.0)
        store.set_status("d1", "completed", now=1_790_000_000.0)
        got = info_for(store.get("d1"))
        assert got == ExportInfo(company="Acme", kind="Terms of Service", document_id="d1", title="Terms of Service for <Acme>", generated_at=1_790_000_000.0,
                                 method="gpt-4o-mini via api.openai.com, chunks mode", model="gpt-4o-mini",
                                 status="completed")

        store.create_document(id="d2", doc_type="tos", request={"company": "Acme"}, provider="offline",
                              model="contractgen-offline", mode="stream", now=200.0)
        store.append_text("d2", "Preamble without a title.\n", now=201.0)
        got = info_for(store.get("d2"))
        assert got.title == "Terms of Service"  # from the document type
        assert got.method == f"{LABEL}, stream mode"
        assert got.generated_at == 200.0 and got.status == "pending"
        assert filename(got, "md") == "acme-terms-of-service-d2.md"
    finally:
        store.close()
