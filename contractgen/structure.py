"""The document structure every mode produces, parsed from Markdown headings as text arrives.

`## N. Title` starts a section, `### N.M Title` a subsection. A section is
complete when the next section heading or the end of the text arrives. Only
whole lines are parsed, so a heading split across deltas is seen once, whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SECTION = re.compile(r"^##\s+(\d+)\.?\s+(.+?)\s*#*\s*$")
_SUBSECTION = re.compile(r"^###\s+(\d+\.\d+)\.?\s+(.+?)\s*#*\s*$")
_TITLE = re.compile(r"^#\s+(.+?)\s*$")


@dataclass
class Subsection:
    number: str
    title: str
    text: str = ""


@dataclass
class Section:
    number: int
    title: str
    subsections: list[Subsection] = field(default_factory=list)
    text: str = ""  # text between the section heading and its first subsection
    complete: bool = False

    def to_dict(self) -> dict:
        return {"number": self.number, "title": self.title,
                "subsections": [{"number": s.number, "title": s.title, "text": s.text.strip()} for s in self.subsections]}


class StructureParser:
    def __init__(self) -> None:
        self.title: str | None = None
        self.sections: list[Section] = []
        self._line = ""  # the unfinished last line

    def feed(self, text: str) -> None:
        lines = (self._line + text).split("\n")
        self._line = lines.pop()
        for line in lines:
            self._take(line)

    def finish(self) -> None:
        if self._line:
            self._take(self._line)
            self._line = ""
        if self.sections:
            self.sections[-1].complete = True

    @property
    def completed(self) -> list[Section]:
        return [s for s in self.sections if s.complete]

    def _take(self, line: str) -> None:
        if m := _SECTION.match(line):
            if self.sections:
                self.sections[-1].complete = True
            self.sections.append(Section(int(m.group(1)), m.group(2)))
        elif (m := _SUBSECTION.match(line)) and self.sections:
            self.sections[-1].subsections.append(Subsection(m.group(1), m.group(2)))
        elif self.title is None and not self.sections and (m := _TITLE.match(line)):
            self.title = m.group(1)
        elif self.sections:
            # Text before the first section (title, preamble) belongs to no section.
            target = self.sections[-1].subsections[-1] if self.sections[-1].subsections else self.sections[-1]
            target.text += line + "\n"


def parse(text: str) -> StructureParser:
    parser = StructureParser()
    parser.feed(text)
    parser.finish()
    return parser


# -- checking a finished draft against its outline ----------------------------------------------
def check(sections: list[Section], outline) -> list[str]:
    """Sentences naming what is wrong with a draft's structure (missing, repeated, out of order or
    unexpected sections), compared with the outline of its document type; [] when it matches."""
    expected = [s.number for s in outline]
    found = [s.number for s in sections]
    if expected and not found:
        return [f"No section headings were recognised (0 of {len(expected)} sections): check the text by hand."]
    problems = []
    missing = [n for n in expected if n not in found]
    if missing:
        problems.append(f"Missing section{'s' if len(missing) > 1 else ''} {_numbers(missing)} "
                        f"({len(expected) - len(missing)} of {len(expected)} written).")
    repeated = sorted({n for n in found if found.count(n) > 1})
    if repeated:
        problems.append(f"Section{'s' if len(repeated) > 1 else ''} {_numbers(repeated)} written more than once.")
    unexpected = sorted({n for n in found if n not in expected})
    if unexpected:
        problems.append(f"Section{'s' if len(unexpected) > 1 else ''} {_numbers(unexpected)} "
                        "not in the outline.")
    firsts = list(dict.fromkeys(n for n in found if n in expected))
    if firsts != sorted(firsts):
        problems.append("Sections out of order: " + ", ".join(map(str, firsts)) + ".")
    return problems


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:-1])) + (" and " if len(numbers) > 1 else "") + str(numbers[-1])


# -- headings of a part, written from the outline -----------------------------------------------
_HEADING_LIKE = re.compile(r"^\s*(?:#{1,4}\s*|\*\*)?(?:section\s+)?(\d+)?[.:)]?\s*(.*?)\s*(?:\*\*|#*)\s*$", re.IGNORECASE)


def _plain(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


class HeadingShaper:
    """Streams a part's text (chunks and sections modes), writing each section heading from the outline.

    The mode knows which sections a call was asked for, so a model that omits the heading, writes it
    without its number, as bold text or at another level, still puts its text in the right section:
    the first line of the call becomes `## N. Title` (or gets it inserted before it), and a later
    heading-like line naming the next section by number or title is written the outline's way.
    Subsection headings and body text pass unchanged; only possible heading lines are held back.
    """

    def __init__(self, sections, started: str = ""):
        self._wanted = [(s.number, s.title) for s in sections]
        self._next = 0  # index in _wanted of the next section heading to expect
        for m in re.finditer(r"^## (\d+)\.", started, re.MULTILINE):
            numbers = [n for n, _ in self._wanted]
            if int(m.group(1)) in numbers:
                self._next = numbers.index(int(m.group(1))) + 1
        self._first = not started.strip()  # the call's first line is still to come
        self._title_allowed = bool(self._wanted) and self._wanted[0][0] == 1  # the first part opens with "# Title"
        self._line = ""  # the held start of a line that may be a heading
        self._at_line_start = not started or started.endswith("\n")
        # The current line as written so far (a heading split by a pause arrives in two runs).
        self._written = started.rsplit("\n", 1)[-1]

    def feed(self, text: str) -> str:
        out = []
        for piece in re.split(r"(\n)", text):
            if piece == "\n":
                done = self._end_line()
                self._passed(self._written + done)
                out.append(done + "\n")
                self._at_line_start, self._written = True, ""
            elif piece:
                shown = self._take(piece)
                self._written += shown
                out.append(shown)
        return "".join(out)

    def _passed(self, line: str) -> None:
        """A whole line went out: if it is the next section's heading, that section is under way."""
        m = re.match(r"^## (\d+)\.", line.split("\n")[-1])
        numbers = [n for n, _ in self._wanted]
        if m and int(m.group(1)) in numbers[self._next:]:
            self._next = numbers.index(int(m.group(1))) + 1

    def finish(self) -> str:
        return self._end_line() if self._line else ""

    def _take(self, piece: str) -> str:
        if self._line or (self._at_line_start and self._may_be_heading(piece)):
            self._line += piece
            self._at_line_start = False
            if self._may_be_heading(self._line) and len(self._line) < 200:
                return ""
            line, self._line = self._line, ""
            return self._body(line)
        self._at_line_start = False
        return self._body(piece)

    def _may_be_heading(self, start: str) -> bool:
        s = start.lstrip()
        if not s:
            return True
        if s[0] in "#*" or s[0].isdigit() or s.lower().startswith("section"[:len(s)]) or self._first:
            return True
        return False

    def _body(self, text: str) -> str:
        """Text of a line that is not a section heading: the first line of a call gets its heading first."""
        if self._first and text.strip():
            self._first = False
            if self._next < len(self._wanted):
                number, title = self._wanted[self._next]
                self._next += 1
                return f"## {number}. {title}\n\n{text}"
        return text

    def _end_line(self) -> str:
        line, self._line = self._line, ""
        if not line.strip():
            return line
        if self._first and self._title_allowed and re.match(r"^#\s", line):
            self._first = False  # the document's title: the section heading comes later
            return line
        if self._next >= len(self._wanted):
            return self._body(line)
        sub = re.match(r"^\s*###\s*(\d+)\.\d+", line)
        if sub:
            number, title = self._wanted[self._next]
            if int(sub.group(1)) == number and not self._first:
                # A subsection of the next section before its heading: the model left the heading out.
                self._next += 1
                return f"## {number}. {title}\n\n{line}"
            return self._body(line)
        m = _HEADING_LIKE.match(line)
        number, title = self._wanted[self._next]
        is_heading = bool(m) and (line.lstrip().startswith(("#", "**")) or self._first)
        if is_heading and m:
            named = m.group(1) and int(m.group(1)) == number
            titled = _plain(m.group(2)) == _plain(title) or (_plain(title) and _plain(title) in _plain(m.group(2)))
            if named or titled:
                self._first = False
                self._next += 1
                return f"## {number}. {title}"
        return self._body(line)
