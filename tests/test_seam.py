import random

import pytest

from contractgen.request import parse_request
from contractgen.seam import MAX_HOLD, FUZZY_MIN, SeamFilter, resume_point, tail_start

from support import reference


def join(text, new, step, hold=True):
    seam = SeamFilter(text, text[resume_point(text):] if hold else "")
    out = text + "".join(seam.feed(new[i:i + step]) for i in range(0, len(new), step)) + seam.finish()
    return out, seam.seam


@pytest.mark.parametrize(("text", "point"), [
    ("Hello wor", 6),
    ("Hello world ", 6),  # trailing whitespace goes with the last word
    ("## 3. Ti", 6),
    ("line one\nline", 9),
    ("oneword", 7),  # nothing to hold back without a boundary
    ("x " + "y" * (MAX_HOLD + 1), MAX_HOLD + 3),  # a very long "word" is not held back
])
def test_resume_point_is_the_start_of_the_last_word(text, point):
    assert resume_point(text, words=1) == point


@pytest.mark.parametrize(("text", "point"), [
    ("We may sus", 3),  # the last two words
    ("Hello wor", 6),  # only one word before: the text sent is never empty
    ("provider, a", 10),
    ("x provider, a", 2),
])
def test_instruct_resumes_hold_back_two_words(text, point):
    assert resume_point(text) == point


def test_a_tail_starts_at_a_line_start():
    text = "a" * 50 + "\n" + "b" * 30 + "\n" + "c" * 40
    assert tail_start(text, 60) == 82  # after the second newline: no cut word first
    assert tail_start(text, 500) == 0


KEPT = "# Terms\n\nIntro text here.\n\n## 1. Accounts\n\nYou must be 18 to use the Service. We may sus"
WHOLE = KEPT + "pend your account at any time. We give notice by email first, unless the law forbids it."
ANCHOR = resume_point(KEPT)
HELD = KEPT[ANCHOR:]  # "may sus": held back from an instruct request
REST = WHOLE[ANCHOR:]  # the held-back words and everything after them

# How real chat models continue a text they were asked to continue (instruct resumes).
BEHAVIOURS = [
    ("held word rewritten", REST, "exact"),
    ("restarted sentence", "We " + REST, "restart_sentence"),
    ("restarted paragraph", "You must be 18 to use the Service. We " + REST, "restart_paragraph"),
    ("restarted section", "## 1. Accounts\n\nYou must be 18 to use the Service. We " + REST, "restart_section"),
    ("restarted document", KEPT[:ANCHOR] + REST, "restart_document"),
    ("preamble", "Sure! Here is the rest of the document:\n\n" + REST, "preamble"),
    ("preamble on the same line", "I'll continue from where I left off. " + REST, "preamble"),
    ("instruction echoed", "The connection dropped. Continue the document.\n\n" + REST, "preamble"),
    ("code fence", "```markdown\n" + REST, "preamble"),
    ("preamble then restart", "Certainly, continuing:\n\nWe " + REST, "restart_sentence"),
    ("sentence repeated with a word changed", "You must be at least 18 to use the Service. We " + REST, "fuzzy"),
    ("section repeated with a word changed",
     "## 1. Accounts\n\nYou must be aged 18 to use the Service. We " + REST, "fuzzy"),
]


@pytest.mark.parametrize(("name", "continuation", "how"), BEHAVIOURS, ids=[b[0] for b in BEHAVIOURS])
@pytest.mark.parametrize("step", [1, 3, 40, 10**6])
def test_a_real_models_continuation_joins_exactly(name, continuation, how, step):
    out, seam = join(KEPT, continuation, step)
    assert out == WHOLE
    assert seam.join == how and seam.joined
    assert seam.dropped == len(continuation) - len(REST) + len(HELD)
    if how == "fuzzy":
        assert FUZZY_MIN <= seam.similarity < 1


UNSURE = [
    # The model wrote other words where "may sus" stood: both kept, never glued.
    ("held words not rewritten", "terminate your account.", KEPT + " terminate your account."),
    ("mid-word without the held words", "pend your account", KEPT + " pend your account"),
    # A new reply that restarts the document but writes something else: kept whole, apart, flagged.
    ("restart that diverges", "# Terms of Service\n\nWelcome to Acme, whose terms are these.",
     KEPT + "\n\n# Terms of Service\n\nWelcome to Acme, whose terms are these."),
    # A sentence that only opens like an earlier one is new text, not a repeat.
    ("fresh sentence opening alike", "You must also keep your password secret and tell nobody, ever.",
     KEPT + " You must also keep your password secret and tell nobody, ever."),
]


@pytest.mark.parametrize(("name", "continuation", "expected"), UNSURE, ids=[u[0] for u in UNSURE])
def test_no_confident_join_keeps_everything_and_says_so(name, continuation, expected):
    for step in (1, 5, 10**6):
        out, seam = join(KEPT, continuation, step)
        assert out == expected
        assert seam.join == "unverified" and not seam.joined and seam.dropped == 0


@pytest.mark.parametrize(("continuation", "how", "dropped"), [
    ("pend your account.", "exact", 0),  # continued in place, mid-word
    ("We may suspend your account.", "restart_sentence", 10),
    ("\n\n## 2. Next", "exact", 0),
    ("pend your account.", "exact", 0),
])
def test_in_place_continuations(continuation, how, dropped):
    out, seam = join(KEPT, continuation, 3, hold=False)
    assert seam.join == how and seam.dropped == dropped
    assert out == KEPT + continuation[dropped:]


def test_a_new_reply_where_text_went_on_in_place_is_kept_apart_and_flagged():
    # A server that ignores prefill opens a new reply: not glued to the word the text stopped on.
    for reply, sep in (("The document is one paragraph.", " "), ("## 2. Next", "\n\n")):
        out, seam = join(KEPT, reply, 3, hold=False)
        assert out == KEPT + sep + reply and seam.join == "unverified" and seam.inserted == sep


def test_a_restart_that_stops_short_of_the_held_words_deletes_nothing_new():
    # Restarted the document, repeated all but the held-back words, then wrote something new.
    kept = ("1. We accept these Terms\n2. You may use the services of our business in accordance with our "
            "website's policies.\n3. We provide support and other features within the scope")
    held = kept[resume_point(kept):]
    new = kept[:len(kept) - len(held)] + "48 hours after we implemented them, to your company, and later."
    out, seam = join(kept, new, 5)
    assert seam.join == "unverified" and out.startswith(kept)
    assert "48 hours after we implemented them, to your company" in out


def test_a_new_list_item_like_the_last_is_kept_when_nothing_was_held_back():
    kept = "You must not:\n(a) copy the Service;\n(b) resell the Service"
    cont = ";\n(c) resell the Service to third parties;\n(d) reverse engineer any part of the Service."
    out, seam = join(kept, cont, 4, hold=False)
    assert out == kept + cont and seam.join == "exact"


def test_a_completion_continuation_is_trusted():
    seam = SeamFilter("We may sus", "", trusted=True)
    assert seam.feed("We may suspend") == "We may suspend" and seam.seam.join == "exact" and seam.dropped == 0


def test_a_preamble_put_back_is_kept_apart_from_the_text():
    kept = "Use markdown ticks and"
    out, seam = join(kept, "Here's the completed document:\n\n```json\n{}", 4)
    assert seam.join == "unverified" and out.startswith(kept + " Here's the completed")


def test_a_short_coincidence_is_never_taken_for_a_repeat_without_an_anchor():
    out, seam = join("Section 1 ends here.\n\n#", "# 2. Next", 1, hold=False)
    assert out == "Section 1 ends here.\n\n## 2. Next" and seam.dropped == 0


def test_the_record_has_an_excerpt_around_the_join():
    _, seam = join(KEPT, "We " + REST, 4)
    # After the mark: what the seam passed when it decided (the start of the new text).
    assert seam.excerpt.startswith(KEPT[-60:] + "\u27e6\u27e7" + WHOLE[len(KEPT):len(KEPT) + 17])
    assert "restarted the sentence" in seam.describe()


@pytest.mark.parametrize("seed", range(3))
def test_every_sampled_cut_and_repeat_rejoins_exactly(seed):
    """A sample of the exhaustive check recorded in docs/benchmarks.md (every cut of two documents)."""
    rng = random.Random(seed)
    full = reference(parse_request({"company": "Seam Co", "payments": True, "user_content": True}))
    for cut in rng.sample(range(1, len(full)), 300):
        text = full[:cut]
        start = resume_point(text)
        repeat = min(rng.choice([0, 0, rng.randint(0, 200)]), start)
        out, seam = join(text, full[start - repeat:], rng.choice([1, 2, 5, 40, 10**6]))
        assert out == full, (cut, repeat)
        assert seam.joined


@pytest.mark.parametrize("seed", range(2))
def test_sampled_restarts_of_real_documents_rejoin_exactly(seed):
    """Restart the sentence, paragraph or section at random cuts of a real draft: always rejoined."""
    rng = random.Random(seed)
    full = reference(parse_request({"company": "Seam Co", "payments": True}))
    for cut in rng.sample(range(200, len(full)), 60):
        text = full[:cut]
        start = resume_point(text)
        marks = [text.rfind(". ", 0, start) + 2, text.rfind("\n\n", 0, start) + 2, text.rfind("\n## ", 0, start) + 1]
        restart = rng.choice([m for m in marks if m > 1] or [start])
        out, seam = join(text, full[restart:], rng.choice([1, 7, 10**6]))
        assert out == full, (cut, restart)
        assert seam.joined
