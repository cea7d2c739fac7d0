"""Export a document as Markdown, a standalone HTML page or a Word (DOCX) file.

    info = info_for(record)                   # a storage.DocumentRecord
    data = export(record.text, info, "html")  # bytes; FORMATS[fmt] gives (MIME type, extension)
    name = filename(info, "html")             # "terms-of-service-<id>.html"

Generated text can contain anything (a model may write `<script>`,
`javascript:` links or event handlers), so:

- Markdown is exported as stored (an unfinished draft gets a short italic
  note appended, never anything before), then the not-legal-advice notice,
  except for one thing every format shares: bidi-override, zero-width and
  other invisible or terminal-control characters a model wrote are removed
  (`sanitize.strip_hidden`), so what a reader sees is what the text says. The
  stored text keeps them; `contractgen show` says when it has any.
- HTML is rendered by markdown-it-py with raw HTML off (it shows as text), then
  sanitised by nh3 with an explicit allow-list anyway (defence in depth), and
  the page carries a Content-Security-Policy that forbids every script, so even
  a sanitiser miss cannot run. Generation info is html-escaped.
- DOCX is built from the same Markdown token stream: headings become real
  Word headings, emphasis becomes runs, backslash escapes become the plain
  characters; raw HTML is plain text there too.

Every format ends with `documents.NOT_LEGAL_ADVICE`. Bare http(s) addresses and
email addresses in the text become links in HTML and DOCX (as GitHub and the
app's renderer do), so a website typed in the form is a link to exactly that
address: answers are stored as typed, never backslash-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import unicodedata
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .documents import NOT_LEGAL_ADVICE
from .errors import InputError
from .sanitize import strip_hidden
from .structure import parse

FORMATS = {
    "md": ("text/markdown", "md"),
    "html": ("text/html", "html"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}

DRAFT_NOTE = ("Incomplete draft: generation did not finish (status: {status}). "
              "Sections may be missing or cut off.")

# No script can run in an exported page, whatever its body holds; only inline CSS and data: images load.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class ExportInfo:
    document_id: str
    title: str
    generated_at: float  # UTC epoch seconds
    method: str  # e.g. "Offline template engine (clause library, not AI), stream mode"
    model: str
    status: str
    company: str = ""  # the form's company, for file names
    kind: str = ""  # the document type's title ("Terms of Service"), for file names

    @property
    def completed(self) -> bool:
        return self.status == "completed"


# --- Markdown parsing shared by every format -----------------------------------------------------

def _markdown() -> MarkdownIt:
    # Raw HTML off: a model's `<script>` is shown as text, never passed through.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Exported pages load nothing (see CSP), so an image is shown as its description.
    md.add_render_rule("image", lambda self, tokens, idx, options, env:
                       html.escape(_image_label(self.renderInlineAsText(tokens[idx].children or [], options, env))))
    md.core.ruler.push("bare_links", _bare_links)
    return md


# A bare web or email address in running text, as GitHub's (and the app's) renderer links it. A URL's trailing
# punctuation is the sentence's, not the address's.
_BARE = re.compile(r"(?P<url>\bhttps?://[^\s<>\"'`\[\]]+)"
                   r"|(?<![\w.+\-@/])(?P<email>[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")


def _trim(url: str) -> str:
    while url and (url[-1] in ".,;:!?*_~" or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def _bare_links(state) -> None:
    """Core rule: text tokens outside links get link tokens around the web and email addresses they hold."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out, depth = [], 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type != "text" or depth or not _BARE.search(token.content):
                out.append(token)
                continue
            text, pos = token.content, 0
            for match in _BARE.finditer(text):
                found = _trim(match.group(0)) if match.group("url") else match.group(0).rstrip(".-")
                if not found or (match.group("url") and found.rstrip("/").endswith("://")):
                    continue
                start = match.start()
                if start > pos:
                    out.append(_text_token(text[pos:start], token.level))
                href = found if match.group("url") else "mailto:" + found
                link = Token("link_open", "a", 1)
                link.attrs = {"href": state.md.normalizeLink(href)}
                link.markup, link.info, link.level = "linkify", "auto", token.level
                out += [link, _text_token(found, token.level + 1), Token("link_close", "a", -1)]
                pos = start + len(found)
            if pos < len(text):
                out.append(_text_token(text[pos:], token.level))
        block.children = out


def _text_token(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content, token.level = content, level
    return token


_MD = _markdown()


def _image_label(alt: str) -> str:
    return f"[Image: {alt}]" if alt else "[Image]"


def _plain(markdown_inline: str) -> str:
    """The text a reader sees in one line of Markdown: markers and escapes removed."""
    tokens = _MD.parse("# " + markdown_inline.strip())
    inline = next((t for t in tokens if t.type == "inline"), None)
    if inline is None:
        return ""
    return "".join(_inline_text(c) for c in inline.children or []).strip()


def _inline_text(token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "image":
        return _image_label("".join(_inline_text(c) for c in token.children or []))
    return ""


def _title_of(text: str) -> str | None:
    raw = parse(strip_hidden(text)).title
    return (_plain(raw) or None) if raw else None


def _doc_type_title(doc_type: str) -> str:
    try:
        from .library import get_library

        return get_library(doc_type).title
    except (KeyError, ImportError, AttributeError):
        return doc_type.replace("_", " ").strip().title() or "Document"


def info_for(record) -> ExportInfo:
    """ExportInfo from a storage.DocumentRecord: title from the text's `# ` heading, else the document type."""
    settings = record.settings or {}
    label = settings.get("label")
    if not label:
        if record.provider == "offline":
            from .offline import LABEL

            label = LABEL
        else:
            label = f"{record.model} via {record.provider}"
    return ExportInfo(
        company=strip_hidden(str((record.request or {}).get("company") or "")),
        kind=_doc_type_title(record.doc_type),
        document_id=strip_hidden(str(record.id)),
        title=_title_of(record.text or "") or _doc_type_title(record.doc_type),
        generated_at=float(record.completed_at or record.created_at),
        method=strip_hidden(f"{label}, {record.mode} mode"),
        model=strip_hidden(str(record.model)),
        status=record.status,
    )


def _utc(info: ExportInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(info.generated_at, tz=dt.timezone.utc).replace(microsecond=0)


def iso_date(info: ExportInfo) -> str:
    """The generation time as ISO 8601 UTC, e.g. 2026-11-21T14:03:05Z."""
    return _utc(info).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Markdown ------------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _open_fence(text: str) -> str | None:
    """The fence that would close a code block left open at the end of `text`, if one is."""
    fence = None
    for line in text.split("\n"):
        if m := _FENCE.match(line):
            marker, rest = m.groups()
            if fence is None:
                if not (marker[0] == "`" and "`" in rest):  # a backtick fence's info string has no backticks
                    fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
                fence = None
    return fence


NOTICE_MD = "*" + NOT_LEGAL_ADVICE + "*\n"


def to_markdown(text: str, info: ExportInfo) -> str:
    """The text as written (hidden characters removed); an unfinished draft gets an italic note after it; then
    the not-legal-advice notice."""
    text = strip_hidden(text)
    return text + markdown_ending(text, info)


def markdown_ending(text: str, info: ExportInfo) -> str:
    """What the Markdown export adds after `text` (already without hidden characters): the CLI writes the text
    as it arrives, then this, and the file is the export exactly."""
    return _after(_with_draft_note(text, info))[len(text):]


def _after(body: str) -> str:
    # A blank line and a rule before the notice: emphasis or a list left open cannot swallow it.
    if not body:
        return NOTICE_MD
    if fence := _open_fence(body):  # a model's text may end inside a code block: close it so the notice is not code
        body += ("" if body.endswith("\n") else "\n") + fence + "\n"
    sep = "" if body.endswith("\n\n") else "\n" if body.endswith("\n") else "\n\n"
    return body + sep + "---\n\n" + NOTICE_MD


def _with_draft_note(text: str, info: ExportInfo) -> str:
    if info.completed:
        return text
    from .library import escape_md

    note = "*" + DRAFT_NOTE.format(status=escape_md(info.status)) + "*\n"
    tail = text
    if fence := _open_fence(text):  # cut off inside a code block: close it so the note is not code
        tail += ("" if text.endswith("\n") else "\n") + fence + "\n"
    if not tail:
        return note
    # A blank line and a rule before the note: emphasis or a list left open by the cut cannot swallow it.
    sep = "" if tail.endswith("\n\n") else "\n" if tail.endswith("\n") else "\n\n"
    return tail + sep + "---\n\n" + note


# --- HTML ----------------------------------------------------------------------------------------

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "s", "code", "pre",
                "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_ALIGN = {"text-align:left", "text-align:center", "text-align:right"}
# Removed with their content (never in ALLOWED_TAGS): nothing inside them is document text.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript",
                        "frameset", "frame", "applet"}


def sanitize_html(fragment: str) -> str:
    """nh3 with an explicit allow-list: no scripts, event handlers, frames, or non-http(s)/mailto URLs."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values={"th": {"style": _ALIGN}, "td": {"style": _ALIGN}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_body(text: str) -> str:
    """The document body as sanitised HTML."""
    return sanitize_html(_MD.render(strip_hidden(text)))


_CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #5b616b; --rule: #d8d2c4; --accent: #1d3557;
        --paper: #fffefb; --desk: #eeebe4; --draft: #8a4b00; --draft-bg: #fff4e0; }
* { box-sizing: border-box; }
html { background: var(--desk); }
body { margin: 0; padding: 2.5rem 1rem 4rem; color: var(--ink);
       font-family: "Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", Georgia, Cambria,
                    "Times New Roman", "Liberation Serif", serif;
       font-size: 1.0625rem; line-height: 1.65; -webkit-text-size-adjust: 100%; text-rendering: optimizeLegibility; }
.sheet { max-width: 48rem; margin: 0 auto; background: var(--paper); padding: 3.25rem 4rem 3.5rem;
         border: 1px solid #e2ddd2; border-radius: 3px;
         box-shadow: 0 1px 2px rgba(0,0,0,.05), 0 12px 32px rgba(30,25,15,.08); }
.export-info { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
               font-size: .8125rem; line-height: 1.45; color: var(--muted);
               border-bottom: 1px solid var(--rule); padding: 0 0 1rem; margin: 0 0 2.25rem; }
.export-info dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.25rem; margin: 0; }
.export-info dt { font-weight: 600; color: #3d434b; text-transform: uppercase; letter-spacing: .06em;
                  font-size: .6875rem; padding-top: .12rem; }
.export-info dd { margin: 0; overflow-wrap: anywhere; }
.export-info code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
                    font-size: .95em; }
.status { display: inline-block; padding: 0 .45rem; border-radius: 999px; background: #e7f2ea; color: #1e5c33;
          font-weight: 600; }
.status.draft { background: var(--draft-bg); color: var(--draft); }
.document h1 { font-size: 2rem; line-height: 1.2; text-align: center; font-weight: 600; letter-spacing: .01em;
               margin: 0 0 1.75rem; color: var(--accent); }
.document h2 { font-size: 1.3rem; line-height: 1.3; font-weight: 700; color: var(--accent);
               margin: 2.5rem 0 .75rem; padding-top: .9rem; border-top: 1px solid var(--rule); }
.document h3 { font-size: 1.075rem; line-height: 1.35; font-weight: 700; margin: 1.6rem 0 .4rem; }
.document h4, .document h5, .document h6 { font-size: 1rem; font-style: italic; margin: 1.25rem 0 .35rem; }
.document p { margin: 0 0 .9rem; overflow-wrap: break-word; }
.document ul, .document ol { margin: 0 0 .9rem; padding-left: 1.6rem; }
.document li { margin: .2rem 0; }
.document li > p { margin: 0 0 .35rem; }
.document a { color: var(--accent); text-underline-offset: .15em; }
.document blockquote { margin: 1rem 0; padding: .1rem 1rem; border-left: 3px solid var(--rule); color: #3d434b; }
.document code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
                 font-size: .88em; background: #f3f0e8; padding: .05em .3em; border-radius: 3px; }
.document pre { background: #f3f0e8; padding: .8rem 1rem; overflow-x: auto; border-radius: 3px; line-height: 1.45; }
.document pre code { background: none; padding: 0; }
.document hr { border: 0; border-top: 1px solid var(--rule); margin: 2rem 0; }
.document table { border-collapse: collapse; width: 100%; margin: 0 0 1rem; font-size: .95em; }
.document th, .document td { border: 1px solid var(--rule); padding: .35rem .6rem; vertical-align: top; }
.document th { background: #f5f2ea; }
.legal-notice { margin: 2rem 0 0; padding-top: .75rem; border-top: 1px solid var(--rule); color: var(--muted);
                font-size: .875rem; font-style: italic; }
.draft-note { margin: 2rem 0 0; padding: .75rem 1rem; border: 1px solid #f0d2a8; border-radius: 3px;
              background: var(--draft-bg); color: var(--draft); font-style: italic; }
@media (max-width: 40rem) {
  body { padding: 0; }
  .sheet { padding: 1.75rem 1.25rem 2.5rem; border: 0; border-radius: 0; box-shadow: none; }
}
@page { margin: 2cm 2.2cm; }
@media print {
  html, body { background: none; }
  body { padding: 0; font-size: 11pt; line-height: 1.45; color: #000; }
  .sheet { max-width: none; padding: 0; border: 0; box-shadow: none; background: none; }
  .export-info { font-size: 8pt; color: #444; margin-bottom: 1.5rem; }
  .status, .status.draft { background: none; color: #000; padding: 0; }
  .document h1 { font-size: 20pt; color: #000; }
  .document h2 { font-size: 14pt; color: #000; border-top: 0; padding-top: 0; }
  .document h3 { font-size: 11.5pt; }
  .document h1, .document h2, .document h3, .document h4 { break-after: avoid; page-break-after: avoid; }
  .document p, .document li { orphans: 3; widows: 3; }
  .document table, .document pre, .document blockquote { break-inside: avoid; }
  .document a { color: inherit; text-decoration: none; }
  .document a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; color: #444; }
  .draft-note { border-color: #000; background: none; color: #000; }
}
""".strip()


def _info_block(info: ExportInfo) -> str:
    e = html.escape
    when = _utc(info)
    status = e(info.status) + ("" if info.completed else " (incomplete draft)")
    rows = [
        ("Generated", f'<time datetime="{iso_date(info)}">{when:%Y-%m-%d %H:%M:%S} UTC</time>'),
        ("Document ID", f"<code>{e(info.document_id)}</code>"),
        ("Method", e(info.method)),
        ("Model", e(info.model)),
        ("Status", f'<span class="status{"" if info.completed else " draft"}">{status}</span>'),
    ]
    items = "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return f'<aside class="export-info" aria-label="Generation information">\n<dl>\n{items}\n</dl>\n</aside>'


def page_head(title: str, css: str) -> str:
    """The start of every standalone page contractgen writes: no script may run, nothing is fetched."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="contractgen">
<title>{html.escape(title)}</title>
<style>
{css}
</style>
</head>
<body>
"""


def to_html(text: str, info: ExportInfo) -> str:
    """A standalone HTML5 page: generation info, then the sanitised document."""
    note = "" if info.completed else (
        f'\n<p class="draft-note" role="note">{html.escape(DRAFT_NOTE.format(status=info.status))}</p>')
    return page_head(info.title, _CSS) + f"""<main class="sheet">
{_info_block(info)}
<article class="document">
{render_body(text)}</article>{note}
<p class="legal-notice" role="note">{html.escape(NOT_LEGAL_ADVICE)}</p>
</main>
</body>
</html>
"""


# --- The app's view -------------------------------------------------------------------------------

ALLOWED_SCHEMES = ("http", "https", "mailto")  # the link policy of the HTML export (sanitize_html)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Where a Markdown renderer may read a link destination: after "(" or "<" or a reference's "]:", then a
# scheme or an entity (which could spell one). Checked on the raw text, so a link still being written counts.
_LINKISH = re.compile(r"(?:\(|<|\]:)[ \n]*<?[ \n]*(?:&|([a-zA-Z][a-zA-Z0-9+.\-]*)[ \n]*:)")


def _every_link_parser() -> MarkdownIt:
    md = _markdown()
    md.validateLink = lambda url: True  # see every destination, javascript: and data: included, to judge it
    return md


_EVERY_LINK = _every_link_parser()


def allowed_url(url: str) -> bool:
    """True for http, https and mailto URLs and for relative ones (what sanitize_html keeps)."""
    # Browsers ignore tabs, line breaks and leading controls in a URL: "java\tscript:" is javascript:.
    cleaned = re.sub(r"%0[9aAdD]|[\x00-\x20\x7f]", "", url)
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in ALLOWED_SCHEMES


def _risky_tokens(tokens) -> bool:
    for token in tokens:
        if token.type == "image":  # exports show an image as its description; nothing is loaded
            return True
        if token.type == "link_open" and not allowed_url(str(token.attrs.get("href") or "")):
            return True
        if token.children and _risky_tokens(token.children):
            return True
    return False


def needs_sanitizing(text: str, partial: bool = True) -> bool:
    """Whether Markdown `text` has a link or image the HTML export would not keep; with `partial` (text still
    being written), also whether it may be starting one (a scheme or an entity after "(", "<" or "]:")."""
    if partial:
        for match in _LINKISH.finditer(re.sub(r"[\t\r]", "", text)):
            if match.group(1) is None or match.group(1).lower() not in ALLOWED_SCHEMES:
                return True
    return _risky_tokens(_EVERY_LINK.parse(text))


def _inline_newlines(html_text: str) -> str:
    # A blank line would end a raw HTML block in the app's Markdown renderer and turn the rest back into
    # Markdown: keep code blocks' line breaks as character references instead, and drop blank lines.
    html_text = re.sub(r"<pre>.*?</pre>", lambda m: m.group(0).replace("\n", "&#10;"), html_text, flags=re.S)
    # And no bracket left that Markdown could read as the start of a link (defence in depth; same text shown).
    return re.sub(r"\n\s*\n", "\n", html_text).replace("[", "&#91;").replace("]", "&#93;")


def app_view(text: str) -> tuple[str, bool]:
    """What the app renders for generated Markdown `text`: (body, is_html).

    Hidden characters are removed as in every export. Text whose links are all http, https or mailto (the
    usual case) stays Markdown; text with any other link (javascript:, data:, ...) or an image, or one being
    written, is rendered exactly as the HTML export renders it (nh3's allow-list), for st.markdown with
    unsafe_allow_html=True: the same link policy, and nothing loaded."""
    text = strip_hidden(text)
    if not needs_sanitizing(text):
        return text, False
    return _inline_newlines(render_body(text)), True


# --- DOCX ----------------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold; python-docx refuses them, and a model may emit them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEADING_STYLES = {"h1": "Heading 1", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 4",
                   "h6": "Heading 4"}
_MONO = "Consolas"


def _xml(value: str) -> str:
    return _XML_INVALID.sub("", value)


def _add_inline(paragraph, children, *, bold: bool = False) -> None:
    """Runs for one inline token's children: emphasis as run formatting, escapes already resolved."""
    strong = em = strike = 0
    links: list[tuple[str, int]] = []  # (href, index in `seen` where the link text started)
    seen = []

    def add(text: str, *, code: bool = False) -> None:
        text = _xml(text)
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold = True if (strong or bold) else None
        run.italic = True if em else None
        if strike:
            run.font.strike = True
        if code:
            run.font.name = _MONO
        seen.append(text)

    for token in children or []:
        kind = token.type
        if kind == "text":
            add(token.content)
        elif kind == "code_inline":
            add(token.content, code=True)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            links.append((str(token.attrs.get("href") or ""), len(seen), len(paragraph._p)))
        elif kind == "link_close" and links:
            href, start, first_child = links.pop()
            label = "".join(seen[start:])
            shown = href[len("mailto:"):] if href.lower().startswith("mailto:") else href
            if href.lower().startswith(("http://", "https://", "mailto:")):
                _hyperlink(paragraph, href, first_child)  # clickable on screen, to exactly this address
                # Paper has no links: print a web or mail address after its text, unless the text is the address.
                if shown != label:
                    add(f" ({shown})")
        elif kind == "image":
            add(_image_label("".join(_inline_text(c) for c in token.children or [])))
        elif kind in ("html_inline",):  # only with html on; shown as text like everything else
            add(token.content)


def _hyperlink(paragraph, href: str, first_child: int) -> None:
    """Wrap the runs added since `first_child` in a Word hyperlink to `href` (an external relationship)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    runs = [child for child in list(paragraph._p)[first_child:] if child.tag == qn("w:r")]
    if not runs:
        return
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    runs[0].addprevious(link)
    for run in runs:
        link.append(run)  # moves it
        props = run.find(qn("w:rPr"))
        if props is None:
            props = OxmlElement("w:rPr")
            run.insert(0, props)
        style = OxmlElement("w:u")
        style.set(qn("w:val"), "single")
        props.append(style)


def _set_core_properties(document, info: ExportInfo) -> None:
    props = document.core_properties
    props.title = _xml(info.title)[:255]
    props.author = "contractgen"
    props.last_modified_by = "contractgen"
    props.comments = _xml(f"Document {info.document_id}; {info.method}; model {info.model}; status {info.status}")
    props.subject = _xml(info.method)[:255]
    props.keywords = ""
    props.revision = 1
    created = _utc(info).replace(tzinfo=None)
    props.created = created
    props.modified = created


def to_docx(text: str, info: ExportInfo) -> bytes:
    """A Word document: Title, a small grey info line, headings as Word headings, emphasis as runs."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document = Document()
    _set_core_properties(document, info)

    document.add_paragraph(_xml(info.title), style="Title")
    grey = RGBColor(0x66, 0x66, 0x66)
    line = document.add_paragraph()
    parts = [f"Generated {_utc(info):%Y-%m-%d %H:%M:%S} UTC", f"Document {info.document_id}", info.method,
             f"Model {info.model}", f"Status {info.status}" + ("" if info.completed else " (incomplete draft)")]
    run = line.add_run(_xml(" \u00b7 ".join(parts)))
    run.font.size = Pt(8)
    run.font.color.rgb = grey

    tokens = _MD.parse(strip_hidden(text))
    lists: list[str] = []  # "bullet" | "ordered", innermost last
    item_marker: list[str | None] = []  # per open list item: the number still to print, or None once printed
    quote = 0
    title_skipped = False
    table: list[list[tuple[list, bool]]] | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            inline = tokens[i + 1]
            if token.tag == "h1" and not title_skipped and _plain_children(inline.children) == info.title:
                title_skipped = True  # already the Title paragraph
            else:
                _add_inline(document.add_paragraph(style=_HEADING_STYLES[token.tag]), inline.children)
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("ordered" if kind == "ordered_list_open" else "bullet")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            item_marker.append(f"{token.info}{token.markup}" if lists and lists[-1] == "ordered" else "")
        elif kind == "list_item_close":
            item_marker.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind in ("th_open", "td_open") and table is not None:
            table[-1].append((tokens[i + 1].children or [], kind == "th_open"))
        elif kind == "table_close" and table is not None:
            _add_table(document, table)
            table = None
        elif kind == "paragraph_open" and table is None:
            paragraph = document.add_paragraph(style=_block_style(lists, item_marker, quote))
            if item_marker and item_marker[-1]:
                paragraph.add_run(item_marker[-1] + "\t")
            if item_marker:
                item_marker[-1] = None  # later paragraphs of the same item continue it
            _add_inline(paragraph, tokens[i + 1].children)
            i += 3
            continue
        elif kind in ("fence", "code_block"):
            paragraph = document.add_paragraph(style="No Spacing" if not lists else _block_style(lists, item_marker, quote))
            code = paragraph.add_run(_xml(token.content.rstrip("\n")))
            code.font.name = _MONO
            code.font.size = Pt(9)
        elif kind == "hr":
            rule = document.add_paragraph("* * *")
            rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "html_block":  # only with html on; shown as text
            document.add_paragraph(_xml(token.content.rstrip("\n")))
        i += 1

    if not info.completed:
        note = document.add_paragraph()
        note_run = note.add_run(_xml(DRAFT_NOTE.format(status=info.status)))
        note_run.italic = True
        note_run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)

    notice = document.add_paragraph()
    notice_run = notice.add_run(NOT_LEGAL_ADVICE)
    notice_run.italic = True
    notice_run.font.size = Pt(9)
    notice_run.font.color.rgb = grey

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _plain_children(children) -> str:
    return "".join(_inline_text(c) for c in children or []).strip()


def _block_style(lists: list[str], item_marker: list, quote: int) -> str:
    if lists:
        level = "" if len(lists) == 1 else f" {min(len(lists), 3)}"
        if item_marker and item_marker[-1] is None:
            return f"List Continue{level}"
        return f"List Bullet{level}" if lists[-1] == "bullet" else f"List{level}"
    return "Quote" if quote else "Normal"


def _add_table(document, rows: list[list[tuple[list, bool]]]) -> None:
    if not rows:
        return
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, (children, header) in enumerate(row):
            cell = table.cell(r, c)
            _add_inline(cell.paragraphs[0], children, bold=header)


# --- Dispatch ------------------------------------------------------------------------------------

def export(text: str, info: ExportInfo, fmt: str) -> bytes:
    """The document in `fmt` (a FORMATS key) as bytes; md and html are UTF-8."""
    fmt = _format(fmt)
    if fmt == "md":
        return to_markdown(text, info).encode("utf-8", errors="replace")
    if fmt == "html":
        return to_html(text, info).encode("utf-8", errors="replace")
    return to_docx(text, info)


def _format(fmt: str) -> str:
    if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
        raise InputError([f"Unknown export format \u201c{fmt}\u201d; use one of {', '.join(FORMATS)}."])
    return fmt.lower()


def _slug(value: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def filename(info: ExportInfo, fmt: str) -> str:
    """A safe download name: the company, the document type (else the title), the id, the format's extension;
    e.g. "acme-terms-of-service-4f2a9c1e0b7d.docx", so a folder of downloads says whose and what each is."""
    ext = FORMATS[_format(fmt)][1]
    parts = [_slug(info.company, 40), _slug(info.kind or info.title, 60) or "document", _slug(info.document_id, 40)]
    return "-".join(p for p in parts if p) + "." + ext
