"""The resilient stream: detect every fault, keep every character, resume where the text stopped.

`resilient_events()` drives one document through a list of targets (the
primary model, then fallbacks), yielding events: text, attempts, faults,
resumes and a final outcome. The caller stores and shows them; this module
does no I/O of its own beyond the provider calls.

Retry policy is a few pure functions with the constants in `ResumePolicy`.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence, Union

from . import ratelimit
from .errors import ProviderError
from .faultplan import FaultPlan, error_for
from .seam import Seam, SeamFilter, resume_point
from .stall import FIRST_TOKEN_TIMEOUT, STALL_FACTOR, STALL_FLOOR
from .stream import Delta, Usage
from .tokens import estimate_tokens

TOO_MANY = "Too many timeouts, generation cannot be resumed"


@dataclass(frozen=True)
class ResumePolicy:
    max_resumes: int = 3  # per run; a resume by hand starts a new run
    auto_resume: bool = True
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    jitter: float = 0.25  # up to 25% is taken off each delay
    fallback_after: int = 2  # consecutive faults on one model before moving to the next
    max_length_continuations: int = 5  # finish_reason "length" continues without counting as a resume
    first_token_timeout: float | None = FIRST_TOKEN_TIMEOUT  # seconds from request to first text; None or 0: off
    attempt_deadline: float | None = None  # seconds one attempt may take in all
    # The adaptive stall rule (stall.py): silence after text longer than min(read timeout, max(floor, factor x the
    # stream's 99th percentile gap)) is a stall. Both 0: only the read timeout decides.
    stall_floor: float = STALL_FLOOR
    stall_factor: float = STALL_FACTOR
    # A server asking to wait longer than this (Retry-After) is not waited for: the call moves to the next model,
    # or fails saying so. The wait is never shortened silently.
    retry_after_cap: float = 60.0
    # Seconds the whole call may take: every attempt, wait and fallback (None: off). One budget (max_resumes)
    # and this one deadline cover same-model retries and fallbacks alike.
    overall_deadline: float | None = None
    resume_tail: int = 2000  # characters of the text a continuation sends (the outline goes with it)
    min_tail: int = 250  # a context-length error shrinks the tail to a quarter, never below this


def backoff_delay(attempt: int, policy: ResumePolicy, rng: random.Random, retry_after: float | None = None) -> float:
    """Seconds before resume number `attempt` (0-based): the server's Retry-After when given, else exponential with jitter."""
    if retry_after is not None:
        return retry_after
    delay = min(policy.backoff_base * 2 ** attempt, policy.backoff_cap)
    return delay * (1 - policy.jitter * rng.random())


def should_resume(fault: ProviderError, resumes_used: int, policy: ResumePolicy) -> str:
    """'resume', 'manual' (wait for a person), 'budget' (too many) or 'fatal'."""
    if not fault.retryable:
        return "fatal"
    if resumes_used >= policy.max_resumes:
        return "budget"
    return "resume" if policy.auto_resume else "manual"


# -- events ---------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class AttemptStarted:
    kind: str  # initial | resume | fallback | continue_length
    model: str
    provider: str
    offset: int
    at: float


@dataclass(frozen=True)
class AttemptEnded:
    outcome: str  # completed | fault | cancelled
    output_chars: int
    first_token_at: float | None
    finish_reason: str | None
    usage: Usage | None
    at: float


@dataclass(frozen=True)
class FaultDetected:
    kind: str
    message: str
    retryable: bool
    offset: int
    at: float


@dataclass(frozen=True)
class ResumeScheduled:
    auto: bool
    delay: float
    resumes_used: int
    at: float


@dataclass(frozen=True)
class ResumeDelivered:
    first_token_at: float
    seam_dropped: int
    joined: bool = True  # the seam joined (exact or repaired); an unverified seam is not a successful resume


@dataclass(frozen=True)
class SeamJoined:
    """How a continuation (a resume or a "length" continuation) joined the text: decided once per attempt."""
    seam: Seam
    strategy: str
    offset: int  # document position of the join
    at: float


@dataclass(frozen=True)
class Outcome:
    status: str  # completed | interrupted | failed | cancelled
    message: str | None
    faults: list[str] = field(default_factory=list)
    resumes: int = 0
    usage: Usage | None = None  # every attempt's, failed ones included (what the call cost)
    # The model that answered: the one that completed the text (else the last one that sent any), and every
    # model that sent text, in order.
    model: str | None = None
    models: tuple[str, ...] = ()
    failed_usage: Usage | None = None  # the part of `usage` spent on attempts that ended in a fault


Event = Union[Text, AttemptStarted, AttemptEnded, FaultDetected, ResumeScheduled, ResumeDelivered, SeamJoined, Outcome]


@dataclass(frozen=True)
class Target:
    """One model to call: `stream(partial, tail)` yields Deltas continuing `partial`, of which it sends the
    last `tail` characters (None: all)."""

    model: str
    provider: str
    stream: Callable[[str, int | None], Iterator[Delta]]
    # Tokens of the prompt a call sends for a given partial text: used when a call is cut before
    # the provider reports usage, so its cost is counted from what it really sent.
    prompt_tokens: Callable[[str], int] | None = None
    # How this target continues a partial text (continuation.py); may probe the server once.
    strategy: Callable[[], str] = lambda: "prefill"
    # The endpoint's shared 429 gate (ratelimit.py): every draft of this process waits out one Retry-After.
    rate_key: str = ""


class Cancelled(Exception):
    pass


def _add(a: Usage | None, b: Usage | None) -> Usage | None:
    if a is None or b is None:
        return a or b
    return Usage(a.prompt_tokens + b.prompt_tokens, a.completion_tokens + b.completion_tokens, a.estimated or b.estimated)


def resilient_events(targets: Sequence[Target], *, partial: str = "", policy: ResumePolicy = ResumePolicy(),
                     plan: FaultPlan | None = None, first_kind: str | None = None, auto: bool = True,
                     base_offset: int = 0,
                     cancel: threading.Event | None = None, clock: Callable[[], float] = time.time,
                     sleep: Callable[[float], None] | None = None, rng: random.Random | None = None) -> Iterator[Event]:
    """Run one call to an Outcome. `partial` is its text already written (a resume after restart or by hand);
    `base_offset` is where the call's text starts in the document (fault positions and offsets are document positions).

    Failover: a timeout or connection failure before any text of an attempt moves to the next model at once
    (when there is one); so do a 404, a prompt over the model's context window and a Retry-After longer than
    `policy.retry_after_cap`. Other retryable faults retry the same model with backoff, then move on after
    `policy.fallback_after` in a row. Every retry and every move for a fault uses the one budget
    (`max_resumes`); `overall_deadline` bounds the whole call."""
    if not targets:
        raise ValueError("at least one target is needed")
    rng = rng or random.Random()
    cancel = cancel or threading.Event()
    wait = sleep or (lambda seconds: cancel.wait(seconds))
    text = partial
    kind = first_kind or ("resume" if partial else "initial")
    resuming = bool(partial)  # this attempt's first new text ends a resume
    resume_is_auto = auto
    index, consecutive, resumes, lengths = 0, 0, 0, 0
    faults: list[str] = []
    usage: Usage | None = None
    failed_usage: Usage | None = None
    answered: list[str] = []  # models that sent text, in order
    tail, shrunk = policy.resume_tail, False  # a context-length fault shrinks the tail once per model
    call_started = clock()

    def outcome(status: str, message: str | None, model: str | None = None) -> Outcome:
        return Outcome(status, message, faults, resumes, usage, model or (answered[-1] if answered else None),
                       tuple(answered), failed_usage)

    while True:
        target = targets[index]
        # Another draft's 429 from this endpoint: its backoff is ours too, within this call's limits. A gate closed
        # for longer than the Retry-After cap (or past the overall deadline) is not waited for: as for a 429 of our
        # own, the next model answers, or the call fails saying so.
        while (closed := ratelimit.remaining(target.rate_key)) > 0 and not cancel.is_set():
            too_long = closed > policy.retry_after_cap
            past_deadline = bool(policy.overall_deadline) and clock() - call_started + closed > policy.overall_deadline
            if not (too_long or past_deadline):
                cancel.wait(closed)  # a later 429 may close it again: checked again on waking
                continue
            has_next = index + 1 < len(targets)
            limit = (f"longer than the {policy.retry_after_cap:g} s this call may wait" if too_long else
                     f"past the call's overall deadline of {policy.overall_deadline:g} s")
            message = (f"{target.model} is rate-limited for this process: another call's 429 asked to wait "
                       f"{closed:.0f} s (Retry-After), {limit}.")
            yield FaultDetected("rate_limit", message + (f" Moving to {targets[index + 1].model}." if has_next else ""),
                                True, base_offset + len(text), clock())
            faults.append("rate_limit")
            if not has_next:
                yield outcome("failed", message + (" No fallback model is configured. Try again later, configure a "
                                                   "fallback model, or raise the cap." if too_long else
                                                   " No fallback model is configured."))
                return
            index, consecutive, kind, tail, shrunk = index + 1, 0, "fallback", policy.resume_tail, False
            resuming = bool(text)
            target = targets[index]
        started = clock()
        yield AttemptStarted(kind, target.model, target.provider, base_offset + len(text), started)
        first_token_at: float | None = None
        out, finish, call_usage = 0, None, None
        strategy = seam = None
        anchor = len(text)
        reported = False

        def emit(new: str) -> Iterator[Event]:
            nonlocal text, out, first_token_at, resuming, reported
            if seam is not None and seam.decided and not reported:
                reported = True
                yield SeamJoined(seam.seam, strategy, base_offset + len(text), clock())
            if not new:
                return
            if first_token_at is None:
                first_token_at = clock()
                if not answered or answered[-1] != target.model:
                    answered.append(target.model)
                if resuming:
                    yield ResumeDelivered(first_token_at, seam.dropped if seam else 0, seam.seam.joined if seam else True)
                    resuming = False
            text += new
            out += len(new)
            yield Text(new)

        try:
            if text:
                # Inside the try: resolving "auto" may probe the server, which can fail like any call.
                strategy = target.strategy()
                # An instruct resume holds back the partial last word (the model writes it again: an
                # anchor for the seam); in-place strategies send every character.
                anchor = resume_point(text) if strategy == "instruct" else len(text)
                seam = SeamFilter(text, text[anchor:], trusted=strategy == "completion")
            deltas = target.stream(text[:anchor], tail)
            if plan:
                deltas = inject(deltas, plan, start=base_offset + anchor)
            for delta in deltas:
                if cancel.is_set():
                    raise Cancelled
                now = clock()
                # Checked as chunks arrive; a silent socket is ended by the provider's watchdog (stall.py).
                if policy.first_token_timeout and first_token_at is None and now - started > policy.first_token_timeout:
                    raise ProviderError("timeout", f"No text within {policy.first_token_timeout:g} s of the request (first-token timeout).", retryable=True)
                if policy.attempt_deadline and now - started > policy.attempt_deadline:
                    raise ProviderError("timeout", f"The call took longer than its {policy.attempt_deadline:g} s deadline.", retryable=True)
                if policy.overall_deadline and now - call_started > policy.overall_deadline:
                    raise ProviderError("timeout", f"The call passed its overall deadline of {policy.overall_deadline:g} s "
                                        "(retries and fallbacks included).", retryable=False, reason="overall_deadline")
                if delta.usage:
                    call_usage = delta.usage
                if delta.text:
                    yield from emit(seam.feed(delta.text) if seam else delta.text)
                if delta.finish_reason:
                    finish = delta.finish_reason
            if seam:
                yield from emit(seam.finish())
            if finish is None:
                raise ProviderError("truncated", "The stream ended without a finish reason: the text was cut short.", retryable=True)
            if finish == "length":
                raise ProviderError("length", "The model stopped at its output limit (finish_reason \"length\").", retryable=True)
        except Cancelled:
            usage = _add(usage, call_usage)
            yield AttemptEnded("cancelled", out, first_token_at, finish, call_usage, clock())
            yield outcome("cancelled", "Generation was cancelled.")
            return
        except ProviderError as fault:
            if fault.kind == "rate_limit" and not fault.injected:  # the provider is saturated: the other drafts'
                # calls wait too (at once, before this draft's own bookkeeping). A 429 thrown by hand or injected by
                # a fault plan is this call's only: it closes no gate.
                ratelimit.hit(target.rate_key, fault.retry_after)
            if seam:  # keep what arrived before the fault, decided with what we have
                yield from emit(seam.finish())
            if call_usage is None and target.prompt_tokens is not None:
                # text only grows, so text[:anchor] is exactly the partial this call was sent
                call_usage = Usage(target.prompt_tokens(text[:anchor]),
                                   estimate_tokens(text[len(text) - out:]) if out else 0, estimated=True)
            usage = _add(usage, call_usage)
            if fault.kind != "length":  # a "length" stop delivered its text: it is not a failed attempt
                failed_usage = _add(failed_usage, call_usage)
            detected = clock()
            yield AttemptEnded("fault", out, first_token_at, finish, call_usage, detected)
            yield FaultDetected(fault.kind, str(fault), fault.retryable, base_offset + len(text), detected)
            faults.append(fault.kind)
            has_next = index + 1 < len(targets)
            if fault.reason in ("context_length", "empty") and out == 0:
                # The prompt may not fit the model's window: send less of the text once, then try the next
                # model, then say so plainly. With no text to shorten, the next model is tried at once (a retry
                # of the same prompt on the same model is only worth it when there is no other model).
                if not shrunk and (text or not has_next):
                    shrunk = True
                    if text:
                        tail = max(policy.min_tail, min(tail, len(text)) // 4)
                    kind, resuming, resume_is_auto = ("resume" if text else kind), bool(text), True
                    yield ResumeScheduled(True, 0.0, resumes, clock())
                    continue
                if has_next:
                    index, consecutive, kind, tail, shrunk = index + 1, 0, "fallback", policy.resume_tail, False
                    yield ResumeScheduled(True, 0.0, resumes, clock())
                    resuming = bool(text)
                    continue
                yield outcome("failed", f"The prompt does not fit {target.model}'s context window"
                              + (f" even with only the last {tail:,} characters of the text" if text else "")
                              + f" ({fault}). Configure a fallback model with a larger context, or lower "
                              "--max-tokens / --resume-tail.")
                return
            if fault.kind == "length":
                lengths += 1
                if lengths > policy.max_length_continuations:
                    yield outcome("failed", f"The model hit its output limit {lengths} times in a row.")
                    return
                kind, resuming, resume_is_auto = "continue_length", False, True
                continue
            consecutive += 1
            decision = should_resume(fault, resumes, policy)
            counted = True  # a retry or a move for a transient fault uses the budget; a model that cannot serve does not
            if decision == "fatal" and fault.status == 404 and has_next:
                decision, counted = "fallback-now", False  # an unknown model: the next one may exist
            elif decision == "fatal" and fault.kind != "fatal" and fault.reason != "overall_deadline" and has_next:
                decision = "fallback-now"  # a transient kind the server said not to retry (x-should-retry): not here
                if resumes >= policy.max_resumes:
                    decision = "budget"
            if decision == "fatal":
                yield outcome("failed", str(fault))
                return
            if decision == "budget":
                yield outcome("failed", f"{TOO_MANY} automatically after {resumes} resumes. Last fault: {fault}")
                return
            if decision == "manual":
                yield outcome("interrupted", f"{fault} Automatic resume is off: press Resume generation when ready.")
                return
            if fault.retry_after is not None and fault.retry_after > policy.retry_after_cap:
                if not has_next:
                    yield outcome("failed", f"The provider asked to wait {fault.retry_after:g} s before retrying (Retry-After), "
                                  f"longer than the {policy.retry_after_cap:g} s this call may wait, and no fallback model "
                                  f"is configured. Try again later, configure a fallback model, or raise the cap. Last fault: {fault}")
                    return
                decision = "fallback-now"  # the wait is not shortened silently: another model answers now
            elif out == 0 and fault.kind in ("timeout", "connection") and has_next:
                # Nothing came from this model on this attempt: the next model is the fastest way to an answer.
                decision = "fallback-now"
            if (decision == "fallback-now" or consecutive >= policy.fallback_after) and has_next:
                index, consecutive, kind = index + 1, 0, "fallback"
            else:
                kind = "resume"
            delay = 0.0 if decision == "fallback-now" else backoff_delay(resumes, policy, rng, fault.retry_after)
            if policy.overall_deadline and clock() - call_started + delay > policy.overall_deadline:
                yield outcome("failed", f"The call's overall deadline of {policy.overall_deadline:g} s "
                              f"(retries and fallbacks included) leaves no time for another attempt after {resumes} "
                              f"resumes. Last fault: {fault}")
                return
            if counted:
                resumes += 1
            yield ResumeScheduled(resume_is_auto, delay, resumes, clock())
            resuming, resume_is_auto = True, True
            wait(delay)
            if cancel.is_set():
                yield outcome("cancelled", "Generation was cancelled.")
                return
            continue
        usage = _add(usage, call_usage)
        yield AttemptEnded("completed", out, first_token_at, finish, call_usage, clock())
        yield outcome("completed", None, target.model)
        return


def inject(deltas: Iterator[Delta], plan: FaultPlan, *, start: int) -> Iterator[Delta]:
    """Make any provider's stream fail as the plan says (in-process; the served engine does it on the socket)."""
    at_start = plan.take_at_start()
    if at_start:
        raise error_for(at_start.kind, "Injected fault")
    position = start
    for delta in deltas:
        fault = plan.next_position(position)
        if fault is not None and delta.text and fault.at <= position + len(delta.text):
            before = delta.text[:max(0, fault.at - position)]
            if before:
                yield Delta(text=before)
            plan.fire(fault)
            if fault.kind == "truncated":
                return
            if fault.kind == "length":
                yield Delta(finish_reason="length")
                return
            raise error_for(fault.kind, "Injected fault")
        position += len(delta.text)
        yield delta
