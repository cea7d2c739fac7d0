"""Text from outside (ids, field values, server messages, model output) made safe to print and to show.

- `visible(text)`: for echoing on a terminal or in a message. Control, bidi and
  invisible characters are written as escapes (ESC as ``\\x1b``, U+202E as
  ``\\u202e``), so they can neither drive the terminal nor hide or reorder
  what a person reads.
- `strip_hidden(text)` / `hidden_characters(text)`: for model output in
  exports and in the app. The characters that can make displayed text differ
  from what is stored (bidi overrides and isolates, zero-width and other
  invisible format characters, terminal control characters) are removed; line
  breaks and tabs stay. ZWJ/ZWNJ (emoji, Indic and Persian scripts) and the
  soft hyphen stay too.
"""

from __future__ import annotations

import re
import unicodedata

# Kept by `visible`: joiners shape emoji and several scripts; a soft hyphen only marks where a word may break.
_SHAPING = {"\u200c", "\u200d", "\u00ad"}

# Removed from model output: C0 controls but tab, line feed and carriage return; DEL and C1 controls;
# Arabic letter mark; zero-width space; LRM/RLM; bidi embeddings, overrides and isolates; word joiner and
# invisible operators; BOM/zero-width no-break space; interlinear annotation marks; tag characters.
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
                    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _shown_as_escape(char: str) -> bool:
    if char in _SHAPING:
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or bool(HIDDEN.match(char))


def visible(text: object) -> str:
    """`text` with every control, bidi and invisible character written as an escape (one line, nothing hidden)."""
    value = str(text)
    if value.isprintable() and not HIDDEN.search(value):
        return value
    return "".join(_escape(c) if _shown_as_escape(c) else c for c in value)


def visible_lines(text: str) -> str:
    """Like `visible`, but line breaks and tabs stay: for printing a whole stored text."""
    return "\n".join("\t".join(visible(part) for part in line.split("\t")) for line in text.split("\n"))


def strip_hidden(text: str) -> str:
    """Model output without bidi, invisible and terminal control characters (see HIDDEN)."""
    return HIDDEN.sub("", text)


def hidden_characters(text: str) -> list[str]:
    """The hidden characters in `text`, in order (empty when there are none)."""
    return HIDDEN.findall(text)


def describe_hidden(found: list[str]) -> str:
    """e.g. "3 invisible or control characters (U+202E, U+200B)"."""
    kinds = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
    return f"{len(found)} invisible or control character{'s' if len(found) != 1 else ''} ({kinds})"
