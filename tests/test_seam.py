import random

import pytest

from contractgen.request import parse_request
from contractgen.seam import MAX_HOLD, SeamFilter, resume_point

from support import reference


def join(text, new, step):
    seam = SeamFilter(text, text[resume_point(text):])
    return text + "".join(seam.feed(new[i:i + step]) for i in range(0, len(new), step)) + seam.finish()


@pytest.mark.parametrize(("text", "point"), [
    ("Hello wor", 6),
    ("Hello world ", 6),  # trailing whitespace goes with the last word
    ("## 3. Ti", 6),
    ("line one\nline", 9),
    ("oneword", 7),  # nothing to hold back without a boundary
    ("x " + "y" * (MAX_HOLD + 1), MAX_HOLD + 3),  # a very long "word" is not held back
])
def test_resume_point_is_the_start_of_the_last_word(text, point):
    assert resume_point(text) == point


def test_held_back_word_rewritten_is_dropped():
    assert join("We may sus", "suspend your account", 3) == "We may suspend your account"


def test_model_repeating_more_than_the_held_word_is_cut_back():
    assert join("We may sus", "We may suspend your account", 1) == "We may suspend your account"


def test_text_that_was_not_repeated_is_never_deleted():
    # The continuation does not start with the held-back word: nothing is removed.
    assert join("We may sus", "pend your account", 4) == "We may suspend your account"


@pytest.mark.parametrize("seed", range(3))
def test_every_sampled_cut_and_repeat_rejoins_exactly(seed):
    """A sample of the exhaustive check recorded in docs/benchmarks.md (every cut of two documents)."""
    rng = random.Random(seed)
    full = reference(parse_request({"company": "Seam Co", "payments": True, "user_content": True}))
    for cut in rng.sample(range(1, len(full)), 400):
        text = full[:cut]
        start = resume_point(text)
        repeat = min(rng.choice([0, 0, rng.randint(0, 200)]), start)
        assert join(text, full[start - repeat:], rng.choice([1, 2, 5, 40, 10**6])) == full, (cut, repeat)
