"""Judge a resume seam without ground truth (stdlib only).

After a fault the client keeps ``kept`` (the text written before the fault), asks the model to
continue, receives ``continuation_raw`` and, after its seam filtering (dropping a repeated
overlap, a preamble...), ends with ``joined`` (which must start with ``kept``). No reference
document exists for a real model, so the seam is judged on its own:

- ``lost``        : ``kept`` is not a prefix of ``joined``, or what follows ``kept`` in ``joined``
                    is not the tail of ``continuation_raw`` (the filter dropped a prefix of the
                    continuation and then lost or altered text after it).
- ``duplicated``  : a run of >= ``min_run`` (40) characters (whitespace-normalised) from the last
                    1500 characters of ``kept`` appears again in the first 400 characters after
                    the seam. ``longest_run`` / ``longest_run_text`` report the longest such run
                    (whatever its length).
- ``glued``       : letters on both sides of the join (no space); the joint word is not in the
                    vocabulary while both parts are. Without a vocabulary: the joint word is
                    longer than both parts and occurs nowhere else in kept + continuation.
- ``preamble_kept``: the text right after the seam starts with chat commentary ("Sure",
                    "Here is", "I'll continue", "Certainly", "Continuing"...) or echoes the
                    continue instruction.
- ``dropped_new`` : (extra) the seam filter dropped a start of the continuation (as a repeat or a restart)
                    that holds a run of >= ``NEW_RUN`` (16) characters found nowhere in the kept text: text
                    the model had never written before was deleted (``lost`` cannot see this, as what is
                    kept is still a tail of the continuation). Pass ``preamble_chars`` (the seam's
                    commentary, dropped on purpose) to leave it out. ``dropped_new_text`` is that run.
- ``fragment``    : (extra) kept ends inside a word that the continuation did not complete: the
                    last word of kept is followed by a space, newline or punctuation after the
                    seam, and it is not a vocabulary word (no vocabulary: it occurs nowhere else
                    in kept + continuation as a whole word). Seen with a real model when the
                    request held back a partial word and the model wrote a different next word
                    ("The user can cho| upload a photo"). Heuristic without a vocabulary.

    from benchmarks.realmodel.seamcheck import check_seam
    check_seam(kept, joined, continuation_raw, vocabulary=None, instruction=None)

``python benchmarks/realmodel/seamcheck.py`` runs the self-test.
"""

from __future__ import annotations

import difflib
import re

TAIL = 1500  # characters of kept searched for a repeat
HEAD = 400  # characters after the seam searched for a repeat
MIN_RUN = 40  # a repeated run this long (normalised) is a duplicate
ECHO_RUN = 20  # a run this long from the instruction, right after the seam, is an echo
NEW_RUN = 16  # a dropped run this long that the kept text does not hold is new text deleted
MIN_BLOCK = 6  # shorter character matches are coincidences, not a repeat

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+")  # letters only
PREAMBLE = re.compile(
    r"""^[\s>*_#"'`-]*(?:
        sure\b | certainly\b | of\ course\b | absolutely\b | okay\b | ok\b | alright\b | great\b
      | here\s+is\b | here's\b | here\s+are\b | here\s+you\s+go\b | below\s+is\b
      | i'll\s+continue\b | i\s+will\s+continue\b | let\s+me\s+continue\b | let's\s+continue\b
      | i'll\s+pick\s+up\b | picking\s+up\b | continuing\b | continued\b | continuation\b
      | to\s+continue\b | resuming\b | as\s+requested\b | apologies\b | i\s+apologi[sz]e\b | sorry\b
      | the\s+connection\b | (?:the\s+)?(?:rest|remainder)\s+of\s+the\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Phrases that only a reply to the continue instruction would contain.
ECHO_PHRASES = re.compile(
    r"connection\s+(?:dropped|was\s+lost|was\s+interrupted)|last\s+character|previous\s+message"
    r"|where\s+(?:i|we|it)\s+left\s+off|from\s+where\s+(?:i|we|it)\s+(?:left|stopped)",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Whitespace runs become one space."""
    return _WS.sub(" ", text)


def longest_common_run(a: str, b: str) -> str:
    """The longest substring shared by a and b."""
    if not a or not b:
        return ""
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[m.a:m.a + m.size]


def check_lost(kept: str, joined: str, continuation_raw: str) -> tuple[bool, str, int | None]:
    """(lost, reason, characters of the continuation dropped by the filter or None)."""
    if not joined.startswith(kept):
        i = next((i for i, (x, y) in enumerate(zip(kept, joined)) if x != y), min(len(kept), len(joined)))
        return True, f"kept is not a prefix of joined (differs at {i} of {len(kept)})", None
    after = joined[len(kept):]
    if continuation_raw.endswith(after):
        return False, "", len(continuation_raw) - len(after)
    # The filter may have added or trimmed whitespace at the join only.
    stripped = after.lstrip()
    if continuation_raw.endswith(stripped) and not after[:len(after) - len(stripped)].strip():
        return False, "", len(continuation_raw) - len(stripped)
    return True, "what follows kept in joined is not the tail of continuation_raw", None


def _word_at_end(text: str) -> str:
    m = re.search(r"[^\W\d_]+$", text)
    return m.group(0) if m else ""


def _word_at_start(text: str) -> str:
    m = re.match(r"[^\W\d_]+", text)
    return m.group(0) if m else ""


def check_glued(kept: str, after: str, vocabulary: set[str] | None = None) -> dict:
    """Is the word spanning the join two words run together? (see module doc)"""
    left, right = _word_at_end(kept), _word_at_start(after)
    result = {"glued": False, "glued_word": "", "glued_parts": None}
    if not left or not right:
        return result
    joint = left + right
    result["glued_word"], result["glued_parts"] = joint, (left, right)
    if vocabulary is not None:
        vocab = {w.lower() for w in vocabulary}
        result["glued"] = (joint.lower() not in vocab and left.lower() in vocab and right.lower() in vocab)
        return result
    # No vocabulary: the joint word must be longer than both parts (always, as both are non-empty)
    # and occur nowhere else in the text as a whole word.
    elsewhere = kept[:len(kept) - len(left)] + " " + after[len(right):]
    words = {w.lower() for w in _WORD.findall(elsewhere)}
    result["glued"] = len(joint) > max(len(left), len(right)) and joint.lower() not in words
    result["left_seen"] = left.lower() in words  # extra evidence for the lead: both parts real words?
    result["right_seen"] = right.lower() in words
    return result


def check_fragment(kept: str, after: str, vocabulary: set[str] | None = None) -> dict:
    """Is kept's last (partial) word left dangling? (see module doc)"""
    left = _word_at_end(kept)
    result = {"fragment": False, "fragment_word": ""}
    if not left or not after or after[0].isalpha():
        return result
    result["fragment_word"] = left
    if vocabulary is not None:
        result["fragment"] = left.lower() not in {w.lower() for w in vocabulary}
    else:
        elsewhere = kept[:len(kept) - len(left)] + " " + after
        result["fragment"] = left.lower() not in {w.lower() for w in _WORD.findall(elsewhere)}
    return result


def check_dropped(kept: str, dropped: str) -> dict:
    """Does the dropped start of a continuation hold text that is not a repeat of the kept text? (module doc)"""
    result = {"dropped_new": False, "dropped_new_text": ""}
    body = dropped.strip()
    if len(body) < NEW_RUN:
        return result
    tail = kept[-(len(body) + 400):]
    matcher = difflib.SequenceMatcher(None, tail, body, autojunk=False)
    covered = [False] * len(body)
    for block in matcher.get_matching_blocks():
        if block.size >= MIN_BLOCK:
            covered[block.b:block.b + block.size] = [True] * block.size
    best, start = "", None
    for i, flag in enumerate(covered + [True]):
        if not flag and start is None:
            start = i
        elif flag and start is not None:
            run = body[start:i]
            if len(run.strip()) > len(best.strip()):
                best = run
            start = None
    result["dropped_new_text"] = best
    result["dropped_new"] = len(best.strip()) >= NEW_RUN
    return result


def check_preamble(after: str, instruction: str | None = None) -> tuple[bool, str]:
    """(preamble?, the matched text) for the text right after the seam."""
    head = after[:300]
    m = PREAMBLE.match(head)
    if m:
        return True, head[:m.end()].strip() or head[:40]
    first_line = head.lstrip().split("\n", 1)[0]
    m = ECHO_PHRASES.search(first_line)
    if m:
        return True, m.group(0)
    if instruction:
        run = longest_common_run(normalise(instruction).lower(), normalise(head).lower())
        if len(run.strip()) >= ECHO_RUN:
            return True, run
    return False, ""


def check_seam(kept: str, joined: str, continuation_raw: str, vocabulary: set[str] | None = None,
               instruction: str | None = None, *, min_run: int = MIN_RUN, preamble_chars: int = 0) -> dict:
    """Judge one seam. Returns a dict (see module doc for each key)."""
    lost, lost_reason, dropped = check_lost(kept, joined, continuation_raw)
    after = joined[len(kept):] if joined.startswith(kept) else continuation_raw
    run = longest_common_run(normalise(kept[-TAIL:]), normalise(after[:HEAD]))
    glued = check_glued(kept, after, vocabulary)
    preamble, preamble_match = check_preamble(after, instruction)
    fragment = check_fragment(kept, after, vocabulary)
    dropped_part = continuation_raw[preamble_chars:dropped] if dropped else ""
    return {
        "lost": lost,
        "lost_reason": lost_reason,
        "dropped_chars": dropped,
        "duplicated": len(run) >= min_run,
        "longest_run": len(run),
        "longest_run_text": run,
        **glued,
        "preamble_kept": preamble,
        "preamble_match": preamble_match,
        **fragment,
        **check_dropped(kept, dropped_part),
    }


def _self_test() -> None:
    kept = ("## 1. Acceptance of Terms\n\nBy accessing or using the Service provided by Acme Inc., you agree "
            "to be bound by these Terms of Service. If you do not agree, do not use the Serv")
    # 1. A perfect continuation of the held-back word: nothing wrong.
    raw = "Service.\n\n## 2. Accounts\n\nYou must be 18 years old."
    joined = kept + "ice.\n\n## 2. Accounts\n\nYou must be 18 years old."
    r = check_seam(kept, joined, raw)
    assert not r["lost"] and not r["duplicated"] and not r["preamble_kept"], r
    assert r["dropped_chars"] == 4 and r["glued_word"] == "Service" and not r["glued"], r

    # 2. The model restarted the document; the filter kept it all: a duplicate.
    raw = "## 1. Acceptance of Terms\n\nBy accessing or using the Service provided by Acme Inc., you agree to be bound"
    r = check_seam(kept, kept + raw, raw)
    assert r["duplicated"] and r["longest_run"] >= 80 and not r["lost"], r
    assert r["glued"] is False or r["glued_word"] == "", r  # "Serv" + "" (starts with '#')

    # 3. Whitespace differences do not hide a repeat.
    raw = "By  accessing or using\nthe Service provided by Acme Inc., you agree to be bound by these"
    r = check_seam(kept + "\n\n", kept + "\n\n" + raw, raw)
    assert r["duplicated"], r

    # 4. Glued words: with a vocabulary, and without one.
    k2, raw2 = "You agree to the terms", "and conditions of use."
    vocab = {"you", "agree", "to", "the", "terms", "and", "conditions", "of", "use"}
    r = check_seam(k2, k2 + raw2, raw2, vocabulary=vocab)
    assert r["glued"] and r["glued_word"] == "termsand", r
    r = check_seam(k2, k2 + raw2, raw2)
    assert r["glued"] and r["left_seen"] is False, r
    r = check_seam(k2, k2 + " " + raw2, " " + raw2, vocabulary=vocab)
    assert not r["glued"], r
    r = check_seam("the Serv", "the Service of", "ice of", vocabulary={"the", "service", "of"})
    assert not r["glued"], r  # a completed word is not glued

    # 5. Preambles and instruction echoes.
    for text in ("Sure! Here is the rest:\n\nice.", "Here's the continuation of the document:",
                 "I'll continue from where I left off.", "Certainly. ## 2.", "Continuing the document:",
                 "**Continuation:**\n\n## 2."):
        r = check_seam(kept, kept + " " + text, " " + text)
        assert r["preamble_kept"], (text, r)
    instruction = "The connection dropped. Continue the document exactly from the last character of your previous message."
    r = check_seam(kept, kept + " Continue the document exactly from the last character:", "x",
                   instruction=instruction)
    assert r["preamble_kept"] and r["lost"], r  # not the tail of continuation_raw either
    r = check_seam(kept, kept + "ice. Here is more.", "ice. Here is more.")
    assert not r["preamble_kept"], r

    # 6. Lost text: kept changed, or the filter lost text after dropping a prefix.
    r = check_seam(kept, kept.replace("Acme Inc.", "Acme") + "ice.", "Service.")
    assert r["lost"] and "prefix" in r["lost_reason"], r
    r = check_seam(kept, kept + "ice. More", "Service. Lots of text. More")
    assert r["lost"], r
    r = check_seam(kept, kept + " ice.", "ice.")  # whitespace inserted at the join is fine
    assert not r["lost"], r

    # 7. A partial word left dangling.
    k3 = "Users can upload photos. The user can cho"
    r = check_seam(k3, k3 + " upload a photo.", " upload a photo.")
    assert r["fragment"] and r["fragment_word"] == "cho", r
    r = check_seam(k3, k3 + "ose a photo.", "choose a photo.")
    assert not r["fragment"], r
    r = check_seam("You can pay with PayPal. Pay", "You can pay with PayPal. Pay now.", " now.")
    assert not r["fragment"], r  # "pay" is a word found elsewhere
    r = check_seam(k3, k3 + " upload.", " upload.", vocabulary={"users", "can", "upload", "photos", "the", "user"})
    assert r["fragment"], r

    # 8. Dropped text that was never written: a restart that changed its end, cut at a chance match.
    k4 = "3. We do not restrict support or other features within the scope"
    raw4 = "3. We do not restrict support or other features within 48 hours after we implemented them to your company, and more."
    r = check_seam(k4, k4 + raw4[raw4.index("ny, and"):], raw4)
    assert r["dropped_new"] and "48 hours after" in r["dropped_new_text"] and not r["lost"], r
    r = check_seam(k4, k4 + " of the Service.", k4 + " of the Service.")  # an exact restart dropped
    assert not r["dropped_new"], r
    k5 = "I'll ensure that my responses are"
    raw5 = "I'll ensure that my 150+ words are always exact."  # one word changed: aligned and dropped
    r = check_seam(k5, k5 + " always exact.", raw5)
    assert not r["dropped_new"], r
    r = check_seam(k4, k4 + " x", "Sure! Here is the rest of the document you asked for:\n x", preamble_chars=54)
    assert not r["dropped_new"], r


if __name__ == "__main__":
    _self_test()
    print("seamcheck self-test OK")
