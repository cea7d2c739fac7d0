"""Chat messages for a document request, and the way back from messages to a request.

The form's answers travel as a JSON block inside the user message: a model
reads it as well as prose, and the offline engine served over HTTP can parse
it back, so the same prompt drives a real model and the reference engine.

Continuation (the instruct strategy, see continuation.py): the end of the
partial text is sent as an assistant message followed by a user instruction
that says where the draft stands (section k of N, the open heading) and asks to
go on from its last character. Models asked this way start a new reply; the
seam (seam.py) removes what they repeat.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from .errors import InputError
from .library import get_library, outline
from .request import BaseRequest, parse_request

SYSTEM = (
    "You are a careful legal drafter. You write complete, coherent, professionally worded "
    "legal documents in plain English. You output Markdown only, with no commentary before or after."
)

CONTINUE = (
    "The connection dropped. {stance}Continue the document exactly from the last character of your previous "
    "message. Do not repeat any text that is already written, do not start the section or the document again, "
    "and do not add commentary."
)
_HEADING = re.compile(r"^(#{2,3}) (\d+(?:\.\d+)?)\.? (.+?)\s*$", re.MULTILINE)

_DETAILS = re.compile(r"```json\n(.*?)\n```", re.DOTALL)
_SECTIONS = re.compile(r"^Sections to write \(JSON\): (\[[\d, ]*\])$", re.MULTILINE)
TAIL = 600  # characters of the previous part sent for continuity: enough for tone, cheap in tokens


def user_prompt(request: BaseRequest) -> str:
    library = get_library(request.doc_type)
    sections = outline(library, request)
    lines = [
        f"Write the {library.title} for the company described below.",
        *([library.instructions] if library.instructions else []),
        "",
        "Format:",
        f"- Start with `# {library.title}`, then a short preamble paragraph.",
        "- Each section is a level-2 heading `## N. Title`; each subsection a level-3 heading `### N.M Title`.",
        "- Use exactly these sections and subsections, in this order:",
    ]
    for s in sections:
        lines.append(f"  - {s.number}. {s.title}: " + "; ".join(f"{n} {t}" for n, t in s.subsections))
    lines += [
        "- Write each subsection as one to three paragraphs. Use the details; never invent a company name, address or URL.",
        "",
        "Details (JSON):",
        "```json",
        json.dumps(request.model_dump(mode="json"), indent=2, ensure_ascii=False),
        "```",
    ]
    return "\n".join(lines)


def stance(partial: str) -> str:
    """Where a draft stands, for a model that sees only the end of it: the open section and subsection."""
    section = subsection = None
    for m in _HEADING.finditer(partial):
        if len(m.group(1)) == 2:
            section, subsection = m, None
        else:
            subsection = m
    if section is None:
        return ""
    where = f"The draft stops inside section {section.group(2)} (\u201c{section.group(3)}\u201d)"
    if subsection is not None:
        where += f", subsection {subsection.group(2)} (\u201c{subsection.group(3)}\u201d)"
    return where + "; earlier sections are written, later ones are still to come. "


def continuation(messages: list[dict[str, str]], partial: str, where: str | None = None) -> list[dict[str, str]]:
    """Any conversation, continued from `partial` (unchanged when there is nothing yet). `where` says where
    the whole draft stands when `partial` is only its end (by default: read from `partial`)."""
    if not partial:
        return list(messages)
    instruction = CONTINUE.format(stance=stance(partial) if where is None else where)
    return [*messages, {"role": "assistant", "content": partial}, {"role": "user", "content": instruction}]


def base_messages(request: BaseRequest, sections: Sequence[int] | None = None, before: str = "",
                  instruction: str = "") -> list[dict[str, str]]:
    """The system and user messages of a call, before any continuation; `instruction`: what the person asked of a
    regenerated section ("shorter", "stricter on refunds")."""
    prompt = part_prompt(request, sections, before) if sections else user_prompt(request)
    if instruction:
        # JSON-quoted: the person's words are a request about style and emphasis, never new facts or format.
        prompt += ("\n\nThe person asked for this part to be rewritten with this instruction (JSON string): "
                   f"{json.dumps(instruction, ensure_ascii=False)}. Follow it for tone, length and emphasis; keep "
                   "the format, the numbering, the defined terms and the details above.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


def part_prompt(request: BaseRequest, sections: Sequence[int], before: str = "") -> str:
    """The prompt for one call of the chunks or sections mode.

    It carries what the model needs to stay consistent with the other calls:
    the details, the whole outline (so it knows what comes before and after),
    the defined terms, and the end of the text written just before, if any.
    """
    library = get_library(request.doc_type)
    numbers = sorted(sections)
    outline_ = outline(library, request)
    wanted = [s for s in outline_ if s.number in numbers]
    first = numbers[0] == 1
    lines = [
        f"We are writing the {library.title} below one part at a time. Write only this part: "
        + ", ".join(f"section {s.number}. {s.title} ({'; '.join(f'{n} {t}' for n, t in s.subsections)})" for s in wanted) + ".",
        "",
        "Format: each section is a level-2 heading `## N. Title`; each subsection a level-3 heading `### N.M Title`; "
        "one to three paragraphs per subsection.",
        (f"Start with `# {library.title}` and a short preamble, then the sections." if first
         else f"Start directly with `## {numbers[0]}. {wanted[0].title}`: no title, no preamble, no other sections."),
        "Use these defined terms exactly as the rest of the document does: " + library.defined_terms + ".",
        *([library.instructions] if library.instructions else []),
        "",
        "The whole outline, for context: " + "; ".join(f"{s.number}. {s.title}" for s in outline_) + ".",
    ]
    if before:
        lines += ["", "The text just before this part ends:", "```markdown", before[-TAIL:], "```"]
    lines += [
        "",
        f"Sections to write (JSON): {json.dumps(numbers)}",
        "Details (JSON):",
        "```json",
        json.dumps(request.model_dump(mode="json"), indent=2, ensure_ascii=False),
        "```",
    ]
    return "\n".join(lines)


def build_messages(request: BaseRequest, partial: str = "", sections: Sequence[int] | None = None,
                   before: str = "") -> list[dict[str, str]]:
    return continuation(base_messages(request, sections, before), partial)


def parse_messages(messages: list[dict[str, Any]]) -> tuple[BaseRequest, str, list[int] | None]:
    """(request, partial text, sections to write or None for all) from messages built by `build_messages`."""
    request: BaseRequest | None = None
    sections: list[int] | None = None
    partial = ""
    for message in messages:
        content = message.get("content") or ""
        if not isinstance(content, str):
            continue
        if message.get("role") == "user" and request is None:
            wanted = _SECTIONS.search(content)
            if wanted:
                sections = json.loads(wanted.group(1)) or None
            found = _DETAILS.search(content)
            if found:
                try:
                    request = parse_request(json.loads(found.group(1)))
                except json.JSONDecodeError as exc:
                    raise InputError([f"The details block is not valid JSON: {exc.msg}."]) from None
        elif message.get("role") == "assistant":
            partial = content
    if request is None:
        raise InputError(["The request has no details block; send the messages contractgen builds."])
    return request, partial, sections
