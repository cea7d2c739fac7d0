"""Guided forms: each document type's questions, in steps, derived from its request model.

The page draws whatever this returns, so adding a document type is adding a
request model, a clause library and an entry in DOC_TYPES: no page code.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any, Literal

from .request import LABELS, LIMITS, REQUEST_MODELS


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text | textarea | bool | int | float | choice | multi | date
    help: str
    default: Any
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()
    max_chars: int | None = None


@dataclass(frozen=True)
class Step:
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class DocType:
    key: str
    title: str
    summary: str
    steps: tuple[tuple[str, tuple[str, ...]], ...]  # (step title, field names)


LAW = ("Law and dates", ("country", "governing_law", "effective_date"))
DOC_TYPES: dict[str, DocType] = {
    "tos": DocType("tos", "Terms of Service", "The rules for using an online service.", (
        ("Business", ("company", "product", "website", "contact_email")),
        ("Users", ("accounts", "user_content", "minimum_age", "eu_users")),
        ("Payments", ("payments", "renewal", "refund_days")),
        LAW)),
    "privacy": DocType("privacy", "Privacy Policy", "What personal data is collected and why; GDPR and CCPA aware.", (
        ("Business", ("company", "product", "website", "contact_email", "dpo_email")),
        ("Users and data", ("data_categories", "purposes", "retention_months", "cookies", "advertising", "sells_data",
                            "children")),
        ("Where users are", ("gdpr", "ccpa", "international_transfers")),
        LAW)),
    "nda": DocType("nda", "Non-Disclosure Agreement", "Keeps shared information confidential; mutual or one-way.", (
        ("Parties", ("company", "counterparty", "mutual", "contact_email")),
        ("Purpose and term", ("purpose", "term_years", "confidentiality_years", "return_days", "non_solicit")),
        LAW)),
    "saas": DocType("saas", "SaaS Subscription Agreement", "Plans, fees, renewal, SLA, data and liability cap.", (
        ("Business", ("company", "product", "website", "contact_email")),
        ("Plans and payments", ("plans", "billing", "auto_renewal", "payment_days")),
        ("Service and data", ("uptime", "service_credits", "support_hours", "dpa", "data_export_days")),
        ("Liability and disputes", ("liability_cap_months", "country", "governing_law", "effective_date")))),
}


def _kind(annotation: Any, name: str) -> tuple[str, tuple[str, ...]]:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "choice", tuple(typing.get_args(annotation))
    if origin is list:
        (inner,) = typing.get_args(annotation)
        return "multi", tuple(typing.get_args(inner))
    if annotation is bool:
        return "bool", ()
    if annotation is int:
        return "int", ()
    if annotation is float:
        return "float", ()
    if annotation is dt.date:
        return "date", ()
    if annotation is str:
        return ("textarea" if LIMITS.get(name, 0) > 250 else "text"), ()
    raise TypeError(f"no form widget for {name}: {annotation!r}")


def field_spec(doc_type: str, name: str) -> FieldSpec:
    info = REQUEST_MODELS[doc_type].model_fields[name]
    kind, options = _kind(info.annotation, name)
    bounds = {type(m).__name__: m for m in info.metadata}
    # A required field has no default (pydantic's sentinel must never reach a widget as text).
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    return FieldSpec(
        name=name, label=LABELS.get(name, name.replace("_", " ").capitalize()), kind=kind, help=info.description or "",
        default=default, required=info.is_required(), options=options, max_chars=LIMITS.get(name),
        minimum=getattr(bounds.get("Ge"), "ge", None), maximum=getattr(bounds.get("Le"), "le", None))


def steps(doc_type: str) -> list[Step]:
    return [Step(title, tuple(field_spec(doc_type, n) for n in names)) for title, names in DOC_TYPES[doc_type].steps]


def choice_label(value: str) -> str:
    """Options are stored as identifiers (provide_service); people read words."""
    return value.replace("_", " ").capitalize()
