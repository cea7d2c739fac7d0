"""How drafts are named and listed for people: titles, parties, table rows."""

from __future__ import annotations

from datetime import datetime, timezone

from .forms import DOC_TYPES
from .storage import DocumentRecord

# Shown under every draft on screen and at the end of every export (Markdown, HTML, DOCX, the CLI's output).
NOT_LEGAL_ADVICE = ("This draft was written by software from your answers. It is not legal advice: "
                    "have a qualified lawyer review it before you rely on it.")


def title_of(record: DocumentRecord) -> str:
    kind = DOC_TYPES[record.doc_type].title if record.doc_type in DOC_TYPES else record.doc_type
    company = record.request.get("company", "")
    other = record.request.get("counterparty")
    return f"{kind}: {company}" + (f" and {other}" if other else "")


def when(t: float | None) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if t else ""


def rows(records: list[DocumentRecord]) -> list[dict]:
    """One row per draft for a table: what people scan for."""
    return [{"id": r.id, "draft": title_of(r), "status": r.status, "mode": r.mode, "model": r.model,
             "created": when(r.created_at), "characters": r.length, "faults handled": r.faults,
             "version of": r.parent_id or ""} for r in records]
