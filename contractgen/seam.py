"""Where a resumed stream joins the text already written, with nothing repeated or lost.

A continuation asked "in place" (prefill, completion) usually goes on from the
last character. A chat model asked by instruction starts a new reply instead:
it may restart the sentence, the paragraph, the section or the whole
document, open with a preamble ("Sure, here is the rest:"), or repeat the
last sentence with a word changed. The seam filter buffers the start of the
continuation, finds where it really joins the kept text, drops what was
repeated and passes the rest.

Judged on text alone a seam can be ambiguous: after "...se", a continuation
"e the" may be "see the" or a repeated "e". Instruct resumes are therefore
anchored: the last two words (the last one often partial) are held back from
the request (which ends at a word boundary) and the model must write them
again; the overlap is then at least those words. When the model writes other
words instead, the held words are kept, a space keeps them apart from the new
ones, and the seam is marked unverified.

Conservative throughout: text that was not repeated is never deleted. A repeat
is dropped when it is exact, or when it aligns with the kept text at a
sentence, paragraph, section or document start with a similarity of at least
FUZZY_MIN (difflib ratio) and reaches the point where the kept text stops.
Anything less confident keeps every character and marks the seam unverified.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

MAX_HOLD = 64  # a "word" longer than this (a URL, a rule of dashes) is not held back
WINDOW = 1024  # the longest exact repeat of arbitrary length that is looked for
UNANCHORED_MIN = 16  # overlap needed to drop text when nothing was held back
FUZZY_MIN = 0.85  # similarity of a changed repeat to what it repeats (difflib ratio)
FUZZY_MAX_CHARS = 4000  # a changed repeat longer than this is not aligned character by character
SENTENCE_LOOKBACK = 2500  # sentence and paragraph restarts are looked for this far back (the tail sent)
MIN_RUN = 6  # shortest run of equal characters that counts when a changed repeat is aligned
PROBE = 48  # characters of the continuation compared with each candidate restart point
PROBE_MIN = 0.7  # similarity of those characters for a restart point to stay in view
MAX_BUFFER = 40000  # never hold back more than this while deciding
EXCERPT = 60  # characters each side of the seam in its record

JOINS = {
    "exact": "continued in place",
    "repeat": "repeated the last characters (dropped)",
    "restart_sentence": "restarted the sentence (repeat dropped)",
    "restart_paragraph": "restarted the paragraph (repeat dropped)",
    "restart_section": "restarted the section (repeat dropped)",
    "restart_document": "restarted the document (repeat dropped)",
    "fuzzy": "repeated with small changes (aligned and dropped)",
    "preamble": "opened with commentary (removed)",
    "unverified": "no confident join: everything kept",
}
REPAIRED = tuple(j for j in JOINS if j not in ("exact", "unverified"))

# Commentary a chat model puts before the text: an interjection with punctuation, or a sentence
# about continuing, or the instruction echoed back. Legal text does not open like this.
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok|alright|absolutely|no problem|apologies|sorry|understood|got it)"
    r"\s*[,!.:\-\u2014]"
    r"|(?:here(?:'s| is| are)|below is|what follows is)\b[^\n]{0,80}?\b(?:rest|continu|remain|document|text|draft)"
    r"|(?:i(?:'ll| will|'m| am| apologi[sz]e)|let me|let's|we(?:'ll| will))\b[^\n]{0,80}?"
    r"\b(?:continu|resum|pick up|carry on|finish|complet|rest of|left off)"
    r"|(?:continuing|resuming)\b[^\n]{0,60}?(?::|\.|\n|where|from)"
    r"|(?:the )?(?:rest|remainder|continuation) of the (?:document|text|draft)"
    r"|(?:the )?connection dropped|continue the document)", re.IGNORECASE)
_FENCE = re.compile(r"^\s*```[a-zA-Z]*[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?;:][\"')\]]?\s+(?=\S)")
_WORD = re.compile(r"\w", re.UNICODE)


def _word_start(text: str, end: int) -> int:
    body = text[:end].rstrip()
    return max(body.rfind(" "), body.rfind("\n"), body.rfind("\t")) + 1


def resume_point(text: str, words: int = 2) -> int:
    """Where an anchored (instruct) request ends: the start of the last `words` words (with their trailing
    whitespace). Two words, not one: a model that writes another word where a one-letter fragment stood
    ("a" then "any") would otherwise look as if it had rewritten it."""
    start = _word_start(text, len(text))
    if start <= 0 or len(text) - start > MAX_HOLD:
        return len(text)
    for _ in range(words - 1):
        earlier = _word_start(text, start)
        if earlier <= 0 or len(text) - earlier > MAX_HOLD:
            break
        start = earlier
    return start


def tail_start(text: str, size: int) -> int:
    """Where a tail of about `size` characters of `text` starts: at a line start, so the model never sees a
    cut word first. 0 when the whole text fits."""
    if size <= 0 or len(text) <= size:
        return 0
    start = len(text) - size
    newline = text.find("\n", start)
    return newline + 1 if 0 <= newline < len(text) - size // 2 else start


@dataclass(frozen=True)
class Seam:
    """How one resumed stream joined the kept text."""

    join: str  # a key of JOINS
    dropped: int  # characters of the continuation not kept (repeat and preamble)
    preamble: int = 0  # of which commentary
    inserted: str = ""  # separator added between a kept held word and a new one
    similarity: float | None = None  # for restarts: how close the repeat was to what it repeats
    excerpt: str = ""  # the text around the join, the join marked with ⟦⟧

    @property
    def joined(self) -> bool:
        return self.join != "unverified"

    def describe(self) -> str:
        extra = f", {self.preamble} of commentary" if self.preamble and self.join != "preamble" else ""
        return f"{JOINS[self.join]}; {self.dropped} characters dropped{extra}"


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _candidates(kept: str) -> list[tuple[int, str]]:
    """Points where a model may restart, latest first: sentence and paragraph starts near the end,
    every section heading, the document start."""
    found: dict[int, str] = {}
    look = max(0, len(kept) - SENTENCE_LOOKBACK)
    for m in _SENTENCE_END.finditer(kept, look):
        found[m.end()] = "restart_sentence"
    for m in re.finditer(r"\n\s*\n(?=\S)", kept[look:]):
        found[look + m.end()] = "restart_paragraph"
    for m in re.finditer(r"^#{1,4} ", kept, re.MULTILINE):
        found[m.start()] = "restart_document" if m.start() == 0 else "restart_section"
    found[0] = "restart_document"
    first_line = kept.find("\n")
    if kept.startswith("# ") and first_line > 0:
        # The text after a title and blank lines is still "the start of the document".
        body = len(kept) - len(kept[first_line:].lstrip())
        found.setdefault(body, "restart_document")
    return sorted(((p, k) for p, k in found.items() if p < len(kept)), reverse=True)


def _align_end(segment: str, cont: str) -> tuple[int, float] | None:
    """Where in `cont` the end of `segment` falls when `cont` starts by repeating `segment` with small
    changes, and how similar the two are; None when they do not align up to the end of `segment`."""
    if cont.startswith(segment):
        return len(segment), 1.0
    if len(segment) > FUZZY_MAX_CHARS:
        return None
    window = cont[:len(segment) + len(segment) // 4 + 40]
    matcher = difflib.SequenceMatcher(None, segment, window, autojunk=False)
    # Only runs of a few characters count: scattered single letters ("the", "s", "co") inside new text
    # would otherwise carry the alignment past the point where the repeat really ended.
    every = [b for b in matcher.get_matching_blocks() if b.size]
    blocks = [b for b in every if b.size >= min(MIN_RUN, len(segment)) or b.a + b.size == len(segment)]
    if not blocks:
        return None
    last = blocks[-1]
    unmatched_tail = len(segment) - (last.a + last.size)
    if unmatched_tail > 12:  # the repeat stopped matching before the point where the kept text stops
        return None
    end = last.b + last.size + unmatched_tail
    # The end of what was kept must really be repeated there (held-back words included), not merely
    # reachable through a few coincidences in new text.
    k = min(len(segment), 16)
    if difflib.SequenceMatcher(None, segment[-k:], cont[max(0, end - k):end], autojunk=False).ratio() < FUZZY_MIN:
        return None
    matched = sum(b.size for b in blocks)
    similarity = 2 * matched / (len(segment) + end) if end else 0.0
    return end, similarity


def _starts_block(text: str) -> bool:
    return text.lstrip(" ").startswith(("#", "- ", "* "))


def _separator(kept: str, body: str) -> str:
    """What keeps two texts apart when nothing joins them: a paragraph break before a heading,
    a space between two words, nothing otherwise."""
    if not kept or not body or kept[-1].isspace() or body[0].isspace():
        return ""
    return "\n\n" if _starts_block(body) else " "


class SeamFilter:
    """Feed it the resumed stream's deltas; it drops what was repeated and passes the rest.

    `kept` is the text written so far; `held` its end that was held back from the request (instruct
    resumes), "" when the request carried all of it (in-place resumes)."""

    def __init__(self, kept: str, held: str = "", *, trusted: bool = False):
        """`trusted`: the continuation goes on from the last character by construction (a raw prompt on
        /v1/completions): nothing is looked for and nothing dropped."""
        self._kept = kept
        self._held = held
        self._trusted = trusted
        self._tail = kept[-WINDOW:]
        # Without a held-back word there is no anchor: only a long overlap is taken as a repeat,
        # so a one-character coincidence ("#" + "# 2.") is never deleted.
        self._min = len(held) if held.strip() else UNANCHORED_MIN
        self._buf = ""
        self._candidates = _candidates(kept)
        self._alive: list[tuple[int, str]] | None = None  # restart points the continuation may still repeat
        self._checked = 0  # body length at the last check of `_alive`
        self.seam: Seam | None = None

    @property
    def decided(self) -> bool:
        return self.seam is not None

    @property
    def dropped(self) -> int | None:
        return self.seam.dropped if self.seam else None

    def feed(self, delta: str) -> str:
        if self.decided:
            return delta
        if self._trusted:
            self.seam = Seam("exact", 0, excerpt=self._kept[-EXCERPT:] + "\u27e6\u27e7" + delta[:EXCERPT])
            return delta
        self._buf += delta
        if len(self._buf) < MAX_BUFFER and self._undecided(self._buf):
            return ""
        return self._decide(self._buf)

    def finish(self) -> str:
        """The stream ended (or failed) while undecided: decide with what arrived."""
        return "" if self.decided or not self._buf else self._decide(self._buf)

    # -- deciding ------------------------------------------------------------
    def _preamble(self, buf: str, final: bool) -> int | None:
        """Characters of commentary at the start of `buf`; None while that cannot be told yet."""
        size = 0
        while True:
            rest = buf[size:]
            fence = _FENCE.match(rest)
            if fence:
                size += fence.end()
                continue
            if (not _PREAMBLE.match(rest) or _norm(rest[:40]) in _norm(self._kept[-SENTENCE_LOOKBACK:])
                    or (self._held.strip() and rest.startswith(self._held.rstrip()))):
                return size
            stripped = rest.lstrip()
            lead = len(rest) - len(stripped)
            ends = [i for i in (stripped.find("\n"), ) if i >= 0]
            sentence = _SENTENCE_END.search(stripped)
            if sentence and sentence.start() < 300:
                ends.append(sentence.end())
            if not ends:
                return size if final or len(stripped) > 300 else None
            size += lead + min(ends)
            size += len(buf[size:]) - len(buf[size:].lstrip())

    def _undecided(self, buf: str) -> bool:
        """Should the filter wait for more text before deciding?"""
        start = self._preamble(buf, final=False)
        if start is None:
            return True
        body = buf[start:]
        # An exact overlap that may still grow: the buffer occurs in the tail with room to extend.
        if body and len(body) < len(self._tail) and body in self._tail[:-1]:
            return True
        if len(body) < PROBE:
            return True
        if self._alive is None:
            self._alive = [c for c in self._candidates if self._starts_like(body, self._kept[c[0]:])]
            self._checked = len(body)
        elif len(body) - self._checked >= 64:
            # Drop the restart points the continuation has stopped following, so a fresh text that
            # merely opens like an earlier sentence is released after a few dozen characters.
            self._alive = [c for c in self._alive if self._tracks(body, self._kept[c[0]:])]
            self._checked = len(body)
        return any(len(body) < len(self._kept) - point + (len(self._kept) - point) // 4 + 40
                   for point, _ in self._alive)

    @staticmethod
    def _tracks(body: str, segment: str) -> bool:
        n = min(len(body), len(segment))
        if body[:n] == segment[:n]:
            return True
        if n > FUZZY_MAX_CHARS:
            return False
        return difflib.SequenceMatcher(None, segment[:n], body[:n], autojunk=False).ratio() >= PROBE_MIN

    @staticmethod
    def _starts_like(body: str, segment: str) -> bool:
        probe = min(PROBE, len(segment))
        if probe < 8:
            return False
        a, b = _norm(segment[:probe * 2])[:probe], _norm(body[:probe * 2])[:probe]
        return a == b or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= PROBE_MIN

    def _decide(self, buf: str) -> str:
        self._buf = ""
        preamble = self._preamble(buf, final=True) or 0
        body = buf[preamble:]
        join, drop, similarity, inserted = self._join(body)
        if preamble and join == "exact":
            join = "preamble"
        if join == "unverified" and preamble:
            preamble, body = 0, buf  # not confident: keep the commentary too, kept apart from the text
            inserted = _separator(self._kept, buf)
        passed = inserted + body[drop:]
        self.seam = Seam(join, preamble + drop, preamble, inserted, similarity,
                         self._kept[-EXCERPT:] + "\u27e6\u27e7" + passed[:EXCERPT])
        return passed

    def _join(self, body: str) -> tuple[str, int, float | None, str]:
        """(join, characters of `body` to drop, similarity, separator to insert)."""
        kept, held = self._kept, self._held
        # 1. An exact overlap: the continuation starts with the end of the kept text.
        overlap = 0
        for size in range(min(len(body), len(self._tail)), self._min - 1, -1):
            if size and self._tail.endswith(body[:size]):
                overlap = size
                break
        # 2. A restart from an earlier point, exact or with small changes. It wins over a shorter
        # overlap: "## 12. Terms..." repeating a whole section must not be read as "## 12" repeated.
        best: tuple[str, int, float] | None = None
        for point, kind in self._candidates:
            segment = kept[point:]
            if len(segment) <= overlap or not self._starts_like(body, segment):
                continue
            aligned = _align_end(segment, body)
            if aligned is None:
                continue
            end, similarity = aligned
            if not held.strip() and similarity < 1.0:
                continue  # nothing held back (an in-place request): only an exact repeat is a repeat
            if held.strip() and not body[:end].rstrip().endswith(held.rstrip()):
                continue  # the held-back words must be written again as they were: they are the anchor
            if similarity >= FUZZY_MIN and end > overlap and (best is None or (end, similarity) > best[1:]):
                best = (kind if similarity == 1.0 else "fuzzy", end, similarity)
        if best is not None:
            kind, end, similarity = best
            return kind, end, similarity, ""
        if overlap:
            if held.strip() and overlap == len(held):
                return "exact", overlap, None, ""
            return self._restart_kind(len(kept) - overlap, "repeat"), overlap, 1.0, ""
        # 3. Nothing repeated.
        if held.strip() and body and not body.startswith(held.rstrip()):
            # The model wrote another word where the held one stood: keep both, never glue them.
            return "unverified", 0, None, _separator(kept, body)
        if not held and body and kept and _WORD.match(kept[-1]) and (body[0].isupper() or _starts_block(body)):
            # Asked to continue in place, it opened a new reply (a server that ignores prefill): a word in the
            # middle does not go on with a capital letter or a heading. Kept apart and flagged.
            return "unverified", 0, None, _separator(kept, body)
        return "exact", 0, None, ""

    def _restart_kind(self, point: int, default: str) -> str:
        for candidate, kind in self._candidates:
            if candidate == point:
                return kind
        return default
