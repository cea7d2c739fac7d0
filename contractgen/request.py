"""The validated request for a document: what the form and the CLI collect.

Validation messages are whole sentences naming the field, because they are
shown as-is in the page and on stderr.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

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
    "data_categories": "Data collected",
    "purposes": "Purposes",
    "retention_months": "Retention (months)",
    "cookies": "Cookies",
    "advertising": "Targeted advertising",
    "international_transfers": "International transfers",
    "gdpr": "GDPR",
    "ccpa": "CCPA",
    "sells_data": "Sells or shares data",
    "children": "Directed at children",
    "dpo_email": "DPO email",
    "counterparty": "Other party",
    "mutual": "Mutual",
    "purpose": "Purpose",
    "term_years": "Disclosure period (years)",
    "confidentiality_years": "Confidentiality period (years)",
    "non_solicit": "Non-solicitation",
    "return_days": "Return or destroy within (days)",
    "plans": "Plans",
    "billing": "Billing",
    "auto_renewal": "Automatic renewal",
    "payment_days": "Payment terms (days)",
    "uptime": "Uptime commitment (%)",
    "service_credits": "Service credits",
    "support_hours": "Support hours",
    "dpa": "Data processing addendum",
    "liability_cap_months": "Liability cap (months of fees)",
    "data_export_days": "Data export window (days)",
}

LIMITS = {"company": 120, "product": 600, "website": 200, "contact_email": 200, "country": 80, "governing_law": 120,
          "dpo_email": 200, "counterparty": 120, "purpose": 300, "plans": 200, "support_hours": 100}

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


def _email_field(value: Any, field: str, label: str, example: str) -> str:
    value = _clean_text(value, field, required=False)
    if value and not _EMAIL.match(value):
        raise ValueError(f"{label} \u201c{value}\u201d is not a valid email address; use the form {example}.")
    return value


class BaseRequest(BaseModel):
    """What every document asks: who the company is and which law applies. Only the company name is required."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    company: str = Field(description="Legal name of the company.")
    product: str = Field("", description="What the product or service is; defaults to the company's online services.")
    website: str = Field("", description="Public URL of the service, http(s).")
    contact_email: str = Field("", description="Where people send legal notices and questions.")
    country: str = Field("United States", description="Country or jurisdiction the company operates from.")
    governing_law: str = Field("the State of Delaware", description="Law that governs the document.")
    effective_date: dt.date = Field(default_factory=dt.date.today, description="From when the document applies.")

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
        return _email_field(v, "contact_email", "Contact email", "legal@example.com")

    @property
    def product_name(self) -> str:
        return self.product or f"the online services of {self.company}"


class TermsRequest(BaseRequest):
    """Answers for a Terms of Service."""

    doc_type: Literal["tos"] = "tos"
    accounts: bool = Field(True, description="Users create accounts.")
    payments: bool = Field(False, description="Paid subscriptions, with renewals and refunds.")
    renewal: Literal["monthly", "annual"] = Field("monthly", description="How often a subscription renews.")
    refund_days: int = Field(14, ge=0, le=365, description="Days after purchase in which a refund may be asked; 0 for none.")
    user_content: bool = Field(False, description="Users post content.")
    minimum_age: int = Field(18, ge=13, le=21, description="Youngest age allowed to use the service.")
    eu_users: bool = Field(False, description="The service is offered to consumers in the EU.")


DATA_CATEGORIES = ("identity", "contact", "account", "payment", "usage", "device", "location", "content", "marketing")
PURPOSES = ("provide_service", "billing", "support", "security", "analytics", "marketing", "legal_compliance")


class PrivacyRequest(BaseRequest):
    """Answers for a Privacy Policy (GDPR and CCPA aware)."""

    doc_type: Literal["privacy"] = "privacy"
    data_categories: list[Literal[DATA_CATEGORIES]] = Field(
        default_factory=lambda: ["identity", "contact", "account", "usage", "device"],
        description="Kinds of personal data collected.")
    purposes: list[Literal[PURPOSES]] = Field(
        default_factory=lambda: ["provide_service", "support", "security", "legal_compliance"],
        description="What the data is used for (each gets its legal basis).")
    retention_months: int = Field(24, ge=1, le=120, description="Months personal data is kept after an account closes.")
    cookies: bool = Field(True, description="The website uses cookies or similar technologies.")
    advertising: bool = Field(False, description="Data is used for targeted advertising.")
    international_transfers: bool = Field(False, description="Data is transferred outside the EEA/UK.")
    gdpr: bool = Field(True, description="People in the EEA or UK use the service (GDPR).")
    ccpa: bool = Field(False, description="People in California use the service (CCPA/CPRA).")
    sells_data: bool = Field(False, description="Personal data is sold or shared for cross-context advertising.")
    children: bool = Field(False, description="The service is directed at children.")
    dpo_email: str = Field("", description="Email of the data protection officer, if any.")

    @field_validator("dpo_email", mode="before")
    @classmethod
    def _dpo(cls, v: Any) -> str:
        return _email_field(v, "dpo_email", "DPO email", "dpo@example.com")


class NdaRequest(BaseRequest):
    """Answers for a Non-Disclosure Agreement (mutual or one-way)."""

    doc_type: Literal["nda"] = "nda"
    counterparty: str = Field(description="Legal name of the other party.")
    mutual: bool = Field(True, description="Both parties share confidential information (mutual NDA).")
    purpose: str = Field("evaluating a possible business relationship between the parties",
                         description="Why the information is shared.")
    term_years: int = Field(2, ge=1, le=10, description="Years during which information may be disclosed.")
    confidentiality_years: int = Field(5, ge=1, le=20, description="Years the duty of confidentiality lasts.")
    non_solicit: bool = Field(False, description="Neither party may solicit the other's employees.")
    return_days: int = Field(30, ge=1, le=180, description="Days to return or destroy information when asked.")

    @field_validator("counterparty", mode="before")
    @classmethod
    def _counterparty(cls, v: Any) -> str:
        return _clean_text(v, "counterparty", required=True)

    @field_validator("purpose", mode="before")
    @classmethod
    def _purpose(cls, v: Any) -> str:
        return _clean_text(v, "purpose", required=True)


class SaasRequest(BaseRequest):
    """Answers for a SaaS Subscription Agreement."""

    doc_type: Literal["saas"] = "saas"
    plans: str = Field("Starter, Team and Enterprise", description="Plan names offered.")
    billing: Literal["monthly", "annual"] = Field("annual", description="How often fees are invoiced.")
    auto_renewal: bool = Field(True, description="Subscriptions renew automatically.")
    payment_days: int = Field(30, ge=0, le=90, description="Days to pay an invoice.")
    uptime: float = Field(99.9, ge=90.0, le=99.999, description="Monthly availability commitment, percent.")
    service_credits: bool = Field(True, description="Credits are owed when availability falls short.")
    support_hours: str = Field("business hours, Monday to Friday", description="When support answers.")
    dpa: bool = Field(True, description="A data processing addendum applies to customer personal data.")
    liability_cap_months: int = Field(12, ge=1, le=36, description="Liability is capped at the fees of this many months.")
    data_export_days: int = Field(30, ge=0, le=180, description="Days the customer may export data after termination.")

    @field_validator("plans", "support_hours", mode="before")
    @classmethod
    def _texts(cls, v: Any, info) -> str:
        return _clean_text(v, info.field_name, required=True)


DocumentRequest = Annotated[Union[TermsRequest, PrivacyRequest, NdaRequest, SaasRequest], Field(discriminator="doc_type")]
_ADAPTER = TypeAdapter(DocumentRequest)
REQUEST_MODELS = {m.model_fields["doc_type"].default: m for m in (TermsRequest, PrivacyRequest, NdaRequest, SaasRequest)}


def _sentence(err: dict) -> str:
    loc = list(err.get("loc") or ())
    if loc and loc[0] in REQUEST_MODELS:  # a discriminated union puts the document type first
        loc = loc[1:]
    field = str(loc[0]) if loc else ""
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


def parse_request(data: dict[str, Any]) -> BaseRequest:
    """Build a request from raw answers (doc_type defaults to "tos"), or raise InputError with one sentence per problem."""
    data = {"doc_type": "tos", **data}
    if data["doc_type"] not in REQUEST_MODELS:
        raise InputError([f"Unknown document type \u201c{data['doc_type']}\u201d; use one of: {', '.join(REQUEST_MODELS)}."])
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InputError([_sentence(e) for e in exc.errors()]) from None
