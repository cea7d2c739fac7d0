"""The validated request for a document: what the form and the CLI collect.

Validation messages are whole sentences naming the field, because they are
shown as-is in the page and on stderr.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError

# Field labels as the form shows them; used to build messages.
LABELS = {
    "company": "Company name",
    "product": "Product or service description",
    "website": "Website",
    "contact_email": "Contact email",
    "country": "Country or jurisdiction",
    "governing_law": "Governing law",
    "effective_date": "Effective date",
    "accounts": "User accounts",
    "payments": "Paid subscriptions",
    "renewal": "Renewal period",
    "refund_days": "Refund window",
    "user_content": "User-generated content",
    "minimum_age": "Minimum age",
    "eu_users": "EU users",
}

LIMITS = {"company": 120, "product": 600, "website": 200, "contact_email": 200, "country": 80, "governing_law": 120}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)


def _clean_text(value: Any, field: str, *, required: bool) -> str:
    """Normalise one text field and refuse what would corrupt a legal document."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{LABELS[field]} must be text.")
    # NFC so that the same name typed two ways compares and renders the same.
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise ValueError(f"{LABELS[field]} must not be empty.")
    if len(value) > LIMITS[field]:
        raise ValueError(f"{LABELS[field]} is {len(value)} characters long; the limit is {LIMITS[field]}.")
    # Control and bidi-override characters are invisible and can make the
    # printed text differ from what the reader sees; refuse them.
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf") and c not in "\u200d"]
    if bad:
        raise ValueError(f"{LABELS[field]} contains invisible control characters (e.g. U+{ord(bad[0]):04X}); please retype it.")
    return value


class TermsRequest(BaseModel):
    """Answers for a Terms of Service. Only the company name is required."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    doc_type: Literal["tos"] = "tos"
    company: str = Field(description="Legal name of the company offering the service.")
    product: str = Field("", description="What the product or service is; defaults to the company's online services.")
    website: str = Field("", description="Public URL of the service, http(s).")
    contact_email: str = Field("", description="Where users send legal notices and questions.")
    country: str = Field("United States", description="Country or jurisdiction the company operates from.")
    governing_law: str = Field("the State of Delaware", description="Law that governs the terms.")
    effective_date: dt.date = Field(default_factory=dt.date.today)
    accounts: bool = True
    payments: bool = False
    renewal: Literal["monthly", "annual"] = "monthly"
    refund_days: int = Field(14, ge=0, le=365, description="Days after purchase in which a refund may be asked; 0 for none.")
    user_content: bool = False
    minimum_age: int = Field(18, ge=13, le=21)
    eu_users: bool = False

    @field_validator("company", "country", "governing_law", mode="before")
    @classmethod
    def _required_text(cls, v: Any, info) -> str:
        return _clean_text(v, info.field_name, required=True)

    @field_validator("product", mode="before")
    @classmethod
    def _optional_text(cls, v: Any, info) -> str:
        return _clean_text(v, info.field_name, required=False)

    @field_validator("website", mode="before")
    @classmethod
    def _website(cls, v: Any) -> str:
        v = _clean_text(v, "website", required=False)
        if v and not _URL.match(v):
            raise ValueError(f"Website \u201c{v}\u201d is not a valid address; use the form https://example.com.")
        return v

    @field_validator("contact_email", mode="before")
    @classmethod
    def _email(cls, v: Any) -> str:
        v = _clean_text(v, "contact_email", required=False)
        if v and not _EMAIL.match(v):
            raise ValueError(f"Contact email \u201c{v}\u201d is not a valid email address; use the form legal@example.com.")
        return v

    @property
    def product_name(self) -> str:
        return self.product or f"the online services of {self.company}"


def _sentence(err: dict) -> str:
    field = str(err["loc"][0]) if err.get("loc") else ""
    label = LABELS.get(field, field)
    msg = err.get("msg", "")
    if err["type"] == "value_error":
        # Our own validators already wrote a full sentence.
        return msg.removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{label} must not be empty."
    if err["type"] == "extra_forbidden":
        return f"\u201c{field}\u201d is not a field of this document; known fields: {', '.join(LABELS)}."
    if err["type"] in ("greater_than_equal", "less_than_equal"):
        ctx = err.get("ctx", {})
        bound = ctx.get("ge", ctx.get("le"))
        word = "at least" if "ge" in ctx else "at most"
        return f"{label} must be {word} {bound}."
    if err["type"].startswith("date"):
        return f"{label} must be a date written as YYYY-MM-DD."
    if err["type"].startswith("bool"):
        return f"{label} must be yes or no."
    if err["type"].startswith("int"):
        return f"{label} must be a whole number."
    if err["type"] == "literal_error":
        return f"{label} must be one of {err.get('ctx', {}).get('expected', '')}."
    return f"{label}: {msg}."


def parse_request(data: dict[str, Any]) -> TermsRequest:
    """Build a request from raw answers, or raise InputError with one sentence per problem."""
    try:
        return TermsRequest.model_validate(data)
    except ValidationError as exc:
        raise InputError([_sentence(e) for e in exc.errors()]) from None
