"""Token-sized pieces of text, and token estimates where no provider counts them.

The split is lossless (joining the pieces gives the text back) and close in
size to a BPE tokenizer's output (~4 characters), which is all the offline
engine needs to stream realistically. Nothing is downloaded: no tokenizer files.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r" ?\w+| ?[^\w\s]+|\s+")


def split_tokens(text: str) -> list[str]:
    return _PIECE.findall(text)


def estimate_tokens(text: str) -> int:
    """An estimate, labelled as such wherever it is shown."""
    return len(_PIECE.findall(text))
