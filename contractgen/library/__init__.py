"""Clause libraries: the data behind the offline engine and the outline of each document type.

A library is a title, a preamble and an ordered list of section templates.
Sections and clauses carry an optional `when` condition so that the options of
the request decide what appears; numbering is assigned after filtering, so the
outline of a request (its N sections) is the same for every consumer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import importlib
from collections.abc import Mapping
from typing import Any


@dataclass(frozen=True)
class Clause:
    """One subsection: a title and Markdown paragraphs with {placeholders}."""

    title: str
    text: str
    when: str | None = None


@dataclass(frozen=True)
class SectionTemplate:
    title: str
    clauses: tuple[Clause, ...]
    when: str | None = None


@dataclass(frozen=True)
class Library:
    """A document type's text: title, preamble, sections; plus what its templates may use.

    `conditions` and `values` add the type's own `when` names and placeholders
    to the common ones; `defined_terms` is what every call of a multi-call mode
    is told to use consistently.
    """

    doc_type: str
    title: str
    preamble: str
    sections: tuple[SectionTemplate, ...]
    conditions: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)
    values: Callable[[Any], dict[str, str]] = lambda request: {}
    defined_terms: str = '"we"/"us"/"our" (the company), "you"/"your" (the other party)'
    instructions: str = ""  # type-specific guidance added to the LLM prompt (who the parties are, what to cover)


@dataclass(frozen=True)
class OutlineSection:
    number: int
    title: str
    subsections: list[tuple[str, str]] = field(default_factory=list)  # (number "3.2", title)


# Conditions every library may name in `when`; each library adds its own.
# A new condition is one line of data, not logic inside templates.
COMMON_CONDITIONS: dict[str, Callable[[Any], bool]] = {
    "website": lambda r: bool(r.website),
    "contact_email": lambda r: bool(r.contact_email),
}


# Characters that would change the meaning of Markdown. For contractgen's own words put into Markdown (a
# status in a note), never for answers: see `common_values`.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|~])")


def escape_md(value: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", value)


# A line that starts with one of these is a heading, list item, quote or rule, not a sentence.
_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+*>]|\d{1,9}[.)])")


def line_start(value: str) -> str:
    """An answer that opens a paragraph: verbatim, except a leading block marker ("# ", "- ", "1.") is escaped
    so that a company called "## 5. Fees" cannot become a section heading of the outline."""
    # CommonMark escapes a list number's "." or ")", and the first character of the other markers.
    return _BLOCK_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1] if m.group(0)[0].isdigit()
                            else "\\" + m.group(0), value, count=1)


def applies(library: Library, when: str | None, request: Any) -> bool:
    if when is None:
        return True
    condition = library.conditions.get(when) or COMMON_CONDITIONS[when]
    return condition(request)


def placeholders(library: Library, request: Any) -> dict[str, str]:
    """Every value a template may use: the common ones, then the library's own (which escape their answers too)."""
    return {**common_values(request), **library.values(request)}


def common_values(request: Any) -> dict[str, str]:
    """The values every document has. Answers go in exactly as typed: escaping them wrote `lumen\\-robotics` into
    the draft and broke its links. The renderers make any text safe (raw HTML off, nh3's allow-list, the app's link
    policy: see contractgen.export), so a "<script>" company is printed there, never run."""
    company = request.company
    website = request.website
    email = request.contact_email
    website_ref = f"our website at {website}" if website else "our website"
    contact_ref = f"by email at {email}" if email else "through the contact details published on our website"
    return {
        "company": company,
        "company_line": line_start(company),  # for a paragraph that opens with the company's name
        "product": request.product_name,
        "website": website or "our website",
        "website_ref": website_ref,
        "contact_ref": contact_ref,
        "country": request.country,
        "governing_law": request.governing_law,
        "effective_date": request.effective_date.strftime("%-d %B %Y"),
    }


def _applicable(library: Library, request: Any):
    """(number, section, clauses) for the sections this request gets, numbered after filtering."""
    number = 0
    for section in library.sections:
        clauses = ([c for c in section.clauses if applies(library, c.when, request)]
                   if applies(library, section.when, request) else [])
        if clauses:
            number += 1
            yield number, section, clauses


def outline(library: Library, request: Any) -> list[OutlineSection]:
    """The numbered sections and subsections this request gets."""
    return [OutlineSection(n, section.title, [(f"{n}.{i}", c.title) for i, c in enumerate(clauses, 1)])
            for n, section, clauses in _applicable(library, request)]


def render(library: Library, request: Any) -> str:
    """The whole document as Markdown: `# Title`, `## N. Title`, `### N.M Title`."""
    values = placeholders(library, request)
    parts = [f"# {library.title}", library.preamble.strip().format(**values)]
    for n, section, clauses in _applicable(library, request):
        parts.append(f"## {n}. {section.title}")
        for i, clause in enumerate(clauses, 1):
            parts.append(f"### {n}.{i} {clause.title}")
            parts.append(clause.text.strip().format(**values))
    return "\n\n".join(parts) + "\n"


LIBRARIES = ("tos", "privacy", "nda", "saas")  # module names in this package, one per document type


def get_library(doc_type: str) -> Library:
    if doc_type not in LIBRARIES:
        raise KeyError(doc_type)
    return importlib.import_module(f".{doc_type}", __name__).LIBRARY
