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
