"""How real chat models continue a text, played by the served offline engine (for tests and demos).

A model asked to continue by instruction starts a new reply: it restarts the
sentence, the paragraph, the section or the document, opens with a preamble,
repeats the last sentence with a word changed, or goes on without rewriting
the word that was held back from it. A server that honours prefill (or a raw
`/v1/completions` prompt) continues in place. `continue_from` reproduces each
habit on the engine's exact text, so the seam code meets them over a real
socket with a known right answer.
"""

from __future__ import annotations

import random
import re

STYLES = {
    "exact": "continues from the last character (a perfect model)",
    "restart_sentence": "restarts the sentence the text stopped in",
    "restart_paragraph": "restarts the paragraph",
    "restart_section": "restarts the section from its heading",
    "restart_document": "restarts the whole document",
    "preamble": "opens with a line of commentary, then continues",
    "changed": "repeats the last sentence with one word changed, then continues",
    "held_not_rewritten": "skips the word that was held back from it",
}
PREFILL = {
    "native": "a final assistant message is continued in place (Ollama, llama.cpp llama-server)",
    "switch": "only with continue_final_message or prefix (vLLM, SGLang, DeepSeek, Mistral)",
    "none": "a final assistant message is closed and a new reply starts (llama-cpp-python's chat endpoint)",
}
HEADINGS = {
    "markdown": "`## N. Title`, as asked",
    "omitted": "no section headings at all",
    "bold": "`**Title**` instead of a heading",
    "unnumbered": "`## Title` without its number",
}
PREAMBLE = "Sure! Here is the rest of the document, continuing from where it stopped:\n\n"
_SWAPS = {"shall": "will", "may": "can", "must": "should", "any": "every", "all": "each", "will": "shall",
          "your": "the", "our": "the", "we": "Acme", "you": "the user"}
_COUNT = re.compile(r"^Write the numbers from 1 to (\d+), separated by commas\.$")


def headings(text: str, style: str) -> str:
    """`text` with its section headings written the way a careless model writes them."""
    if style == "markdown":
        return text
    if style == "omitted":
        return re.sub(r"^## \d+\. .*\n\n?", "", text, flags=re.MULTILINE)
    if style == "bold":
        return re.sub(r"^## \d+\. (.*)$", r"**\1**", text, flags=re.MULTILINE)
    if style == "unnumbered":
        return re.sub(r"^## \d+\. (.*)$", r"## \1", text, flags=re.MULTILINE)
    raise ValueError(f"unknown heading style {style!r}; use one of: {', '.join(HEADINGS)}")


def counting(messages: list[dict]) -> str | None:
    """The "document" of the continuation probe (continuation.PROBE_PROMPT): "1, 2, ..., N"."""
    for m in messages:
        if m.get("role") == "user":
            found = _COUNT.match((m.get("content") or "").strip())
            return ", ".join(str(i) for i in range(1, int(found.group(1)) + 1)) if found else None
    return None


def continue_from(full: str, pos: int, style: str, rng: random.Random | None = None) -> tuple[str, int]:
    """(text sent before the engine's own continuation, where that continuation starts in `full`)."""
    rng = rng or random.Random()
    if style == "random":
        style = rng.choice(list(STYLES))
    if style == "exact" or pos == 0:
        return "", pos
    if style == "preamble":
        return PREAMBLE, pos
    if style == "held_not_rewritten":
        rest = re.match(r"\S*\s*", full[pos:])
        return "", pos + (rest.end() if rest else 0)
    if style == "restart_document":
        return "", 0
    if style == "restart_section":
        start = full.rfind("\n## ", 0, pos)
        return "", start + 1 if start >= 0 else 0
    if style == "restart_paragraph":
        start = full.rfind("\n\n", 0, pos)
        return "", start + 2 if start >= 0 else 0
    start = _sentence_start(full, pos)
    if style == "restart_sentence":
        return "", start
    if style == "changed":
        return _change_one_word(full[start:pos]), pos
    raise ValueError(f"unknown continuation style {style!r}; use one of: {', '.join(STYLES)}, random")


def _sentence_start(full: str, pos: int) -> int:
    ends = [full.rfind(mark, 0, pos) for mark in (". ", "\n")]
    best = max(ends)
    return best + (2 if best == ends[0] else 1) if best >= 0 else 0


def _change_one_word(sentence: str) -> str:
    """The sentence with one word swapped for a near synonym (or its case changed): a small change."""
    words = list(re.finditer(r"[A-Za-z]+", sentence))
    for m in words:
        swap = _SWAPS.get(m.group().lower())
        if swap:
            return sentence[:m.start()] + swap + sentence[m.end():]
    for m in words:
        if len(m.group()) >= 4:
            return sentence[:m.start()] + m.group().upper() + sentence[m.end():]
    return sentence


def unrender_chatml(prompt: str) -> tuple[list[dict], str]:
    """(messages, the open assistant turn's text) from a ChatML prompt (continuation.render's "chatml")."""
    messages = [{"role": role, "content": content}
                for role, content in re.findall(r"<\|im_start\|>(\w+)\n(.*?)<\|im_end\|>", prompt, re.DOTALL)]
    opening = prompt.rfind("<|im_start|>assistant\n")
    partial = prompt[opening + len("<|im_start|>assistant\n"):] if opening >= 0 and "<|im_end|>" not in prompt[opening:] else ""
    return messages, partial
