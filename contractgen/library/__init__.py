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

from ..request import TermsRequest


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
    doc_type: str
    title: str
    preamble: str
    sections: tuple[SectionTemplate, ...]


@dataclass(frozen=True)
class OutlineSection:
    number: int
    title: str
    subsections: list[tuple[str, str]] = field(default_factory=list)  # (number "3.2", title)


# Conditions a clause or section may name in `when`. Kept small and explicit:
# a new condition is one line here, not logic inside templates.
CONDITIONS: dict[str, Callable[[TermsRequest], bool]] = {
    "accounts": lambda r: r.accounts,
    "no_accounts": lambda r: not r.accounts,
    "payments": lambda r: r.payments,
    "no_payments": lambda r: not r.payments,
    "refunds": lambda r: r.payments and r.refund_days > 0,
    "no_refunds": lambda r: r.payments and r.refund_days == 0,
    "user_content": lambda r: r.user_content,
    "no_user_content": lambda r: not r.user_content,
    "eu_users": lambda r: r.eu_users,
    "no_eu_users": lambda r: not r.eu_users,
    "website": lambda r: bool(r.website),
    "contact_email": lambda r: bool(r.contact_email),
}

# Characters that would change the meaning of Markdown. Answers are escaped so
# that a company called "*Acme*" or "<script>" is printed, never interpreted.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|~])")


def escape_md(value: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", value)


def applies(when: str | None, request: TermsRequest) -> bool:
    if when is None:
        return True
    return CONDITIONS[when](request)


def placeholders(request: TermsRequest) -> dict[str, str]:
    """Every value a template may use. All answers are Markdown-escaped here, once."""
    company = escape_md(request.company)
    website = escape_md(request.website)
    email = escape_md(request.contact_email)
    website_ref = f"our website at {website}" if website else "our website"
    contact_ref = f"by email at {email}" if email else "through the contact details published on our website"
    return {
        "company": company,
        "product": escape_md(request.product_name),
        "website": website or "our website",
        "website_ref": website_ref,
        "contact_ref": contact_ref,
        "country": escape_md(request.country),
        "governing_law": escape_md(request.governing_law),
        "effective_date": request.effective_date.strftime("%-d %B %Y"),
        "min_age": str(request.minimum_age),
        "renewal": request.renewal,  # "monthly" | "annual"
        "renewal_period": "month" if request.renewal == "monthly" else "year",
        "refund_days": str(request.refund_days),
    }


def _applicable(library: Library, request: TermsRequest):
    """(number, section, clauses) for the sections this request gets, numbered after filtering."""
    number = 0
    for section in library.sections:
        clauses = [c for c in section.clauses if applies(c.when, request)] if applies(section.when, request) else []
        if clauses:
            number += 1
            yield number, section, clauses


def outline(library: Library, request: TermsRequest) -> list[OutlineSection]:
    """The numbered sections and subsections this request gets."""
    return [OutlineSection(n, section.title, [(f"{n}.{i}", c.title) for i, c in enumerate(clauses, 1)])
            for n, section, clauses in _applicable(library, request)]


def render(library: Library, request: TermsRequest) -> str:
    """The whole document as Markdown: `# Title`, `## N. Title`, `### N.M Title`."""
    values = placeholders(request)
    parts = [f"# {library.title}", library.preamble.strip().format(**values)]
    for n, section, clauses in _applicable(library, request):
        parts.append(f"## {n}. {section.title}")
        for i, clause in enumerate(clauses, 1):
            parts.append(f"### {n}.{i} {clause.title}")
            parts.append(clause.text.strip().format(**values))
    return "\n\n".join(parts) + "\n"


def get_library(doc_type: str) -> Library:
    if doc_type == "tos":
        from .tos import LIBRARY

        return LIBRARY
    raise KeyError(doc_type)
