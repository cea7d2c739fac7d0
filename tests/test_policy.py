import random

import pytest

from contractgen.errors import ProviderError
from contractgen.resume import ResumePolicy, backoff_delay, should_resume


class MaxJitter(random.Random):
    def random(self):
        return 1.0


class NoJitter(random.Random):
    def random(self):
        return 0.0


@pytest.mark.parametrize(("attempt", "no_jitter", "max_jitter"), [
    (0, 0.5, 0.375), (1, 1.0, 0.75), (2, 2.0, 1.5), (3, 4.0, 3.0), (4, 8.0, 6.0), (9, 8.0, 6.0)])
def test_exponential_backoff_capped_with_up_to_25_percent_jitter(attempt, no_jitter, max_jitter):
    policy = ResumePolicy()
    assert backoff_delay(attempt, policy, NoJitter()) == no_jitter
    assert backoff_delay(attempt, policy, MaxJitter()) == max_jitter


def test_retry_after_from_the_server_wins():
    assert backoff_delay(0, ResumePolicy(), NoJitter(), retry_after=3.0) == 3.0


@pytest.mark.parametrize(("kind", "retryable", "used", "auto", "decision"), [
    ("timeout", True, 0, True, "resume"),
    ("connection", True, 2, True, "resume"),
    ("server_error", True, 3, True, "budget"),
    ("rate_limit", True, 0, False, "manual"),
    ("fatal", False, 0, True, "fatal"),
    ("fatal", False, 3, True, "fatal"),
])
def test_should_resume(kind, retryable, used, auto, decision):
    fault = ProviderError(kind, "x", retryable=retryable)
    assert should_resume(fault, used, ResumePolicy(auto_resume=auto)) == decision
