"""Compare two versions of a draft: sections added, removed and changed, with the changed words marked.

    d = compare(old_text, new_text)        # a Comparison: one SectionChange per section, in the new order
    d.summary                              # "2 sections changed, 1 added, 0 removed"
    page = to_html(d, "Version 1 (abc)", "Version 2 (def)")   # a standalone page (the HTML export of the diff)

Sections are matched by title, not by number: a section added before others renumbers them, and those are
the same sections. The text before the first section (title and preamble) is compared as "Preamble". Words are
compared with difflib over words and the spaces between them, so a changed clause shows as the words struck out
and the words put in, inside its paragraph. Nothing is rendered from Markdown: the text is shown as written and
every character is escaped, so a comparison of any text is inert (and the page forbids scripts besides).
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field

from .documents import NOT_LEGAL_ADVICE
from .export import page_head
from .sanitize import strip_hidden

_SECTION = re.compile(r"^## +(?:(\d+)\. *)?(.*?) *#* *$", re.MULTILINE)
_WORDS = re.compile(r"\s+|[^\s]+")
PREAMBLE = "Preamble"


@dataclass(frozen=True)
class SectionChange:
    title: str
    status: str  # "added" | "removed" | "changed" | "unchanged"
    old_number: str | None = None
    new_number: str | None = None
    ops: tuple[tuple[str, str], ...] = field(default=())  # ("equal" | "insert" | "delete", text)


@dataclass(frozen=True)
class Comparison:
    sections: tuple[SectionChange, ...]

    def count(self, status: str) -> int:
        return sum(1 for s in self.sections if s.status == status)

    @property
    def identical(self) -> bool:
        return all(s.status == "unchanged" for s in self.sections)

    @property
    def summary(self) -> str:
        if self.identical:
            return "The two versions are identical."
        n = {s: self.count(s) for s in ("changed", "added", "removed")}
        return ", ".join(f"{v} section{'s' if v != 1 else ''} {k}" if i == 0 else f"{v} {k}"
                         for i, (k, v) in enumerate(n.items()))


def sections(text: str) -> list[tuple[str | None, str, str]]:
    """(number, title, body) per `## ` section, the text before the first one as (None, "Preamble", text)."""
    text = strip_hidden(text)
    heads = list(_SECTION.finditer(text))
    out = [(None, PREAMBLE, text[:heads[0].start()] if heads else text)]
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out.append((head.group(1), head.group(2).strip(), text[head.end():end]))
    return [s for s in out if s[1] != PREAMBLE or s[2].strip()]


def words(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """The word-level difference of two texts: runs of equal, deleted and inserted text, in reading order."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    ops: list[tuple[str, str]] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == kind:
            ops[-1] = (kind, ops[-1][1] + text)
        else:
            ops.append((kind, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:  # replace = delete then insert, so a reader sees what went and what came
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return tuple(ops)


def _key(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


def compare(old: str, new: str) -> Comparison:
    """Section by section, in the new version's order; removed sections where they stood in the old one."""
    before, after = sections(old), sections(new)
    olds = {_key(t): (n, t, body) for n, t, body in before}
    news = {_key(t) for _, t, _ in after}
    out: list[SectionChange] = []
    # Each removed section is placed after the last old section kept before it.
    removed_after: dict[str | None, list[SectionChange]] = {}
    last_kept = None
    for n, t, body in before:
        if _key(t) in news:
            last_kept = _key(t)
        else:
            removed_after.setdefault(last_kept, []).append(
                SectionChange(t, "removed", old_number=n, ops=(("delete", body),)))
    out += removed_after.get(None, [])
    for n, t, body in after:
        key = _key(t)
        if key in olds:
            on, _, old_body = olds[key]
            same = old_body.strip() == body.strip()
            out.append(SectionChange(t, "unchanged" if same else "changed", old_number=on, new_number=n,
                                     ops=(("equal", body),) if same else words(old_body, body)))
        else:
            out.append(SectionChange(t, "added", new_number=n, ops=(("insert", body),)))
        out += removed_after.get(key, [])
    return Comparison(tuple(out))


# --- HTML ----------------------------------------------------------------------------------------

LABELS = {"added": "added", "removed": "removed", "changed": "changed", "unchanged": "unchanged"}
CSS = """
.cg-diff { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.55; color: #1f2328; }
.cg-diff .summary { font-weight: 600; margin: 0 0 1rem; }
.cg-diff section { border: 1px solid #d8dee4; border-radius: 6px; margin: 0 0 .8rem; padding: .5rem .9rem; }
.cg-diff section.added { border-left: 5px solid #1a7f37; }
.cg-diff section.removed { border-left: 5px solid #cf222e; }
.cg-diff section.changed { border-left: 5px solid #9a6700; }
.cg-diff h3 { font-size: 1rem; margin: .2rem 0 .4rem; }
.cg-diff .badge { font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
                  padding: .05rem .45rem; border-radius: 999px; margin-left: .5rem; background: #eaeef2; }
.cg-diff .added .badge { background: #dafbe1; color: #1a7f37; }
.cg-diff .removed .badge { background: #ffebe9; color: #cf222e; }
.cg-diff .changed .badge { background: #fff8c5; color: #9a6700; }
.cg-diff .body { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .95rem; margin: 0; }
.cg-diff ins { background: #dafbe1; color: #116329; text-decoration: none; }
.cg-diff del { background: #ffebe9; color: #82071e; text-decoration: line-through; }
.cg-diff details summary { cursor: pointer; color: #59636e; }
.cg-diff .notice { color: #59636e; font-size: .85rem; font-style: italic; margin-top: 1.5rem; }
""".strip()


CONTEXT = 160  # characters of unchanged text kept either side of a change when a comparison is folded


def _fold(text: str, first: bool, last: bool) -> str:
    """Unchanged text between changes, shortened to its ends: the reader sees where a change is, not the whole
    clause again (the HTML export keeps everything)."""
    head = "" if first else text[:CONTEXT]
    tail = "" if last else text[-CONTEXT:]
    if len(text) <= len(head) + len(tail) + 40:
        return text
    return head + " […] " + tail


def _ops_html(ops, fold: bool = False) -> str:
    tags = {"insert": "ins", "delete": "del"}
    out = []
    for i, (kind, text) in enumerate(ops):
        if kind in tags:
            out.append(f"<{tags[kind]}>{html.escape(text)}</{tags[kind]}>")
        else:
            out.append(html.escape(_fold(text, i == 0, i == len(ops) - 1) if fold else text))
    return "".join(out)


def _number(change: SectionChange) -> str:
    if change.old_number and change.new_number and change.old_number != change.new_number:
        return f"{change.old_number} → {change.new_number}. "
    n = change.new_number or change.old_number
    return f"{n}. " if n else ""


def fragment(d: Comparison, *, unchanged: bool = False) -> str:
    """The comparison as an HTML fragment (escaped text, <ins>/<del> marks, its own styles); unless `unchanged`,
    unchanged sections are folded to their title and long unchanged text inside a changed one to its ends."""
    parts = [f"<style>{CSS}</style>", '<div class="cg-diff">', f'<p class="summary">{html.escape(d.summary)}</p>']
    for change in d.sections:
        title = html.escape(_number(change) + change.title)
        badge = f'<span class="badge">{LABELS[change.status]}</span>'
        fold = not unchanged and change.status == "changed"
        body = f'<p class="body">{_ops_html(change.ops, fold).strip()}</p>'
        if change.status == "unchanged" and not unchanged:
            parts.append(f'<section class="unchanged"><details><summary>{title}{badge}</summary>{body}</details>'
                         "</section>")
        else:
            parts.append(f'<section class="{change.status}"><h3>{title}{badge}</h3>{body}</section>')
    parts.append("</div>")
    return "\n".join(parts)


def to_html(d: Comparison, old_label: str, new_label: str, title: str = "Comparison of two versions") -> str:
    """A standalone page: which versions, the summary, then each section with its changes marked."""
    e = html.escape
    return page_head(title, "body { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }") + f"""<h1 style="font-family: system-ui, sans-serif; font-size: 1.4rem">{e(title)}</h1>
<p style="font-family: system-ui, sans-serif"><del>{e(old_label)}</del> → <ins>{e(new_label)}</ins></p>
{fragment(d, unchanged=True)}
<p class="notice" style="font-family: system-ui, sans-serif">{e(NOT_LEGAL_ADVICE)}</p>
</body>
</html>
"""
