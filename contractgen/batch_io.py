"""Reading and writing the sheets of bulk drafting: CSV (any of , ; or tab) and Excel (.xlsx).

A sheet is one header row naming the fields (`company`, `counterparty`, ...,
or the form's labels, "Company name"), then one request per row. Rows are
numbered as a spreadsheet shows them: the header is row 1, the first request
row 2, so "row 7" in a report is the line a person sees as 7. Blank rows are
left out (people leave gaps); nothing else is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .forms import DOC_TYPES, field_spec
from .request import LABELS

DOC_COLUMN = "doc"
# Other names people give the document-type column.
_DOC_ALIASES = {"doc", "doc_type", "type", "document", "document_type"}
_BY_LABEL = {label.casefold(): name for name, label in LABELS.items()}
MAX_ROWS = 5000  # a sheet larger than this is refused: a batch is a day's work, not a data load
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Sheet:
    columns: tuple[str, ...]  # normalized field names, in the sheet's order
    rows: tuple[tuple[int, dict[str, Any]], ...]  # (row number as the spreadsheet shows it, column -> cell)


def column_name(header: Any) -> str:
    """A header as a field name: `Company name`, `company`, `Company` and `contact-email` all work."""
    text = re.sub(r"\s+", " ", str(header if header is not None else "")).strip()
    if text.casefold() in _BY_LABEL:
        return _BY_LABEL[text.casefold()]
    name = re.sub(r"[\s\-]+", "_", text.casefold())
    return DOC_COLUMN if name in _DOC_ALIASES else name


def read_sheet(filename: str, data: bytes) -> Sheet:
    """The sheet in `data`; `filename` tells CSV from Excel. InputError with one sentence when it cannot be read."""
    if len(data) > MAX_BYTES:
        raise InputError([f"{filename} is {len(data) / 1e6:.1f} MB; a sheet may be at most {MAX_BYTES // 2**20} MB."])
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(filename, data)
    elif lower.endswith(".xls"):
        raise InputError([f"{filename} is an old Excel file (.xls); save it as .xlsx or CSV and upload that."])
    else:
        table = _read_csv(filename, data)
    return _sheet(filename, table)


def _read_csv(filename: str, data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")  # Excel writes a BOM in front of UTF-8 CSV
    except UnicodeDecodeError:
        raise InputError([f"{filename} is not UTF-8 text; save it as \u201cCSV UTF-8\u201d (or as .xlsx) and "
                          "upload it again."]) from None
    first = text.split("\n", 1)[0]
    # The header decides the separator: a comma in an answer ("Acme, Inc.") is quoted, never in a header.
    delimiter = max([",", ";", "\t"], key=first.count)
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(filename: str, data: bytes) -> list[list[Any]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError([f"{filename} is not a readable Excel workbook ({type(exc).__name__}); save it again as "
                          ".xlsx or CSV."]) from None
    try:
        sheet = book.worksheets[0]  # the first sheet: templates have one
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(filename: str, table: list[list[Any]]) -> Sheet:
    while table and all(_blank(v) for v in table[0]):
        table = table[1:]  # blank lines above the header
    if not table:
        raise InputError([f"{filename} is empty: it needs a header row naming the fields, then one request per row."])
    header = table[0]
    columns = [column_name(h) for h in header]
    seen: dict[str, int] = {}
    problems = []
    for i, name in enumerate(columns):
        if not name:
            if any(not _blank(r[i]) for r in table[1:] if i < len(r)):
                problems.append(f"Column {_letter(i)} has answers but no header; name it after a field (e.g. company).")
            continue
        if name in seen:
            problems.append(f"Columns {_letter(seen[name])} and {_letter(i)} both hold \u201c{name}\u201d; keep one.")
        seen[name] = i
    if problems:
        raise InputError(problems)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(_blank(v) for v in cells):
            continue
        rows.append((number, {columns[i]: v for i, v in enumerate(cells) if i < len(columns) and columns[i]}))
    if not rows:
        raise InputError([f"{filename} has a header but no request rows."])
    if len(rows) > MAX_ROWS:
        raise InputError([f"{filename} has {len(rows):,} rows; a batch may have at most {MAX_ROWS:,}. Split it."])
    return Sheet(tuple(c for c in columns if c), tuple(rows))


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- templates -----------------------------------------------------------------------------------

_EXAMPLES = {"company": "Acme Inc.", "counterparty": "Globex LLC", "website": "https://acme.example",
             "contact_email": "legal@acme.example"}


def template_fields(doc_type: str) -> list[str]:
    """A document type's fields in the form's order."""
    return [name for _, names in DOC_TYPES[doc_type].steps for name in names]


def cell_text(value: Any) -> str:
    """A default as a person types it in a sheet."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def template_rows(doc_type: str) -> list[list[str]]:
    """Header (`doc` then the fields) and one example row holding the defaults, required fields filled."""
    if doc_type not in DOC_TYPES:
        raise InputError([f"Unknown document type \u201c{doc_type}\u201d; use one of: {', '.join(DOC_TYPES)}."])
    names = template_fields(doc_type)
    example = [doc_type]
    for name in names:
        spec = field_spec(doc_type, name)
        if name == "effective_date":
            example.append("")  # empty: the day the draft is written
        else:
            example.append(_EXAMPLES.get(name, cell_text(spec.default)) if spec.required or name in _EXAMPLES
                           else cell_text(spec.default))
    return [[DOC_COLUMN, *names], example]


def template_csv(doc_type: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(template_rows(doc_type))
    return out.getvalue()


def template_xlsx(doc_type: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = doc_type
    for row in template_rows(doc_type):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
