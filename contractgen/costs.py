"""What a document cost: tokens, dollars and time, from its stored attempts.

Prices come from the packaged `prices.toml` (US dollars per 1 million tokens,
input and output), overridden or extended by the TOML file that
`CONTRACTGEN_PRICES` names. A model is priced by its exact name, else by the
longest configured name that begins it ("gpt-4o-mini-2024-07-18" is priced as
"gpt-4o-mini"). A model that matches nothing costs nothing and is reported in
`UsageSummary.unpriced_models`, so a total is never silently short.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import InputError
from .storage import ATTEMPT_KINDS, AttemptRecord

PRICES_ENV = "CONTRACTGEN_PRICES"
PER_TOKENS = 1_000_000  # prices are per this many tokens
CHARS_PER_TOKEN = 4  # completion estimate for a call cut before the provider's usage chunk
RESUME_KINDS = ("resume", "fallback", "continue_length")  # calls that re-send the text written so far


@dataclass(frozen=True)
class PriceTable:
    """Model name -> (input, output) in US dollars per 1 million tokens."""

    prices: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def load(cls, env: Mapping[str, str]) -> PriceTable:
        """The packaged prices, then those of the file `CONTRACTGEN_PRICES` names (they replace or add).

        A missing, unreadable or malformed override file raises InputError naming the path and the problem."""
        packaged = resources.files("contractgen").joinpath("prices.toml")
        prices = _parse(tomllib.loads(packaged.read_text(encoding="utf-8")), "packaged prices.toml")
        name = (env.get(PRICES_ENV) or "").strip()
        if name:
            path = Path(name).expanduser()
            where = f"{PRICES_ENV} file {path}"
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise InputError([f"The {where} does not exist; fix the path or unset {PRICES_ENV}."]) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError([f"The {where} cannot be read: {exc}."]) from exc
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise InputError([f"The {where} is not valid TOML: {exc}."]) from exc
            prices.update(_parse(data, where))
        return cls(prices)

    def price(self, model: str) -> tuple[float, float] | None:
        """(input, output) dollars per 1M tokens: exact name, else the longest configured prefix; None if unpriced."""
        if model in self.prices:
            return self.prices[model]
        prefixes = [name for name in self.prices if model.startswith(name)]
        return self.prices[max(prefixes, key=len)] if prefixes else None


def _parse(data: dict, where: str) -> dict[str, tuple[float, float]]:
    example = 'e.g. [models."gpt-4o-mini"] with input = 0.15 and output = 0.60'
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise InputError([f"The {where} defines no prices; "
                          f"write one table per model, {example}."])
    prices: dict[str, tuple[float, float]] = {}
    for model, entry in models.items():
        label = f'models."{model}"'
        if not isinstance(entry, dict):
            raise InputError([f"In the {where}, {label} must be a table with input and output prices, {example}."])
        unknown = sorted(set(entry) - {"input", "output"})
        if unknown:
            raise InputError([f"In the {where}, {label} has unknown key(s) {', '.join(unknown)}; "
                              "only input and output (dollars per 1M tokens) are allowed."])
        pair = []
        for key in ("input", "output"):
            value = entry.get(key)
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value) or value < 0):
                shown = "missing" if value is None else f"{value!r}"
                raise InputError([f"In the {where}, {label}.{key} must be a number of dollars per 1M tokens, "
                                  f"zero or more (it is {shown})."])
            pair.append(float(value))
        prices[model] = (pair[0], pair[1])
    return prices


def cost(table: PriceTable, model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Dollars for one call, or None when the model is unpriced."""
    price = table.price(model)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / PER_TOKENS


@dataclass(frozen=True)
class UsageSummary:
    calls: int  # attempts (provider calls)
    prompt_tokens: int
    completion_tokens: int
    estimated: bool  # any figure above was estimated (by the provider, the offline engine, or here)
    cost: float  # US dollars; unpriced models count 0
    unpriced_models: tuple[str, ...]  # sorted
    resume_overhead_tokens: int  # prompt tokens of resume, fallback and continue_length calls
    calls_by_kind: dict[str, int]  # in ATTEMPT_KINDS order, kinds with no call left out
    time_to_first_token: float | None  # seconds, first call's start -> first token of any call
    duration: float | None  # seconds, first call's start -> last call's end


def summarize(attempts: Sequence[AttemptRecord], table: PriceTable, *, price_as: str | None = None) -> UsageSummary:
    """Tokens, dollars and timings of `attempts` (of one document or several).

    A call cut by a fault before the provider's final usage chunk has no token
    counts (None); its figures are then estimated and `estimated` is True:

    - completion tokens: ceil(output_chars / 4), about 4 characters a token;
    - prompt tokens: the prompt tokens of the nearest LATER attempt of the same
      document that has them, reused as they are; 0 when no later attempt has
      them. The prompt actually sent is not stored, so this is the best figure
      at hand: the later call sent the same instructions, plus the text written
      before it (a resume's prefill), so the estimate errs high, never low. A
      call refused before the provider read it (connection refused) may have
      cost nothing, yet is estimated the same way.

    `estimated` is also True when an attempt's tokens were stored as estimates
    (`tokens_estimated`: the offline engine counts, it does not tokenize).

    `price_as` prices every attempt as that model (benchmarks run modes on the
    offline engine and compare them as if billed at a real model's price).

    `time_to_first_token` runs from the earliest start to the earliest
    `first_token_at` (the first attempt that delivered text), `duration` from the
    earliest start to the latest end; each is None when there is nothing to
    measure (no text yet; no attempt ended).
    """
    ordered = sorted(attempts, key=lambda a: (a.started_at, a.id))
    # Prompt estimates: walk each document backwards, remembering the nearest later reported figure.
    prompts = [0] * len(ordered)
    later: dict[str, int] = {}
    for i in reversed(range(len(ordered))):
        a = ordered[i]
        if a.prompt_tokens is not None:
            later[a.document_id] = a.prompt_tokens
        prompts[i] = later.get(a.document_id, 0)

    prompt_total = completion_total = overhead = 0
    dollars = 0.0
    estimated = False
    unpriced: set[str] = set()
    kinds: dict[str, int] = {}
    for a, prompt in zip(ordered, prompts):
        completion = (a.completion_tokens if a.completion_tokens is not None
                      else math.ceil(a.output_chars / CHARS_PER_TOKEN))
        estimated = estimated or a.tokens_estimated or a.prompt_tokens is None or a.completion_tokens is None
        prompt_total += prompt
        completion_total += completion
        if a.kind in RESUME_KINDS:
            overhead += prompt
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
        model = price_as or a.model
        dollars_here = cost(table, model, prompt, completion)
        if dollars_here is None:
            unpriced.add(model)
        else:
            dollars += dollars_here

    first_start = ordered[0].started_at if ordered else None
    first_tokens = [a.first_token_at for a in ordered if a.first_token_at is not None]
    ends = [a.ended_at for a in ordered if a.ended_at is not None]
    order = {kind: i for i, kind in enumerate(ATTEMPT_KINDS)}
    return UsageSummary(
        calls=len(ordered),
        prompt_tokens=prompt_total,
        completion_tokens=completion_total,
        estimated=estimated,
        cost=dollars,
        unpriced_models=tuple(sorted(unpriced)),
        resume_overhead_tokens=overhead,
        calls_by_kind=dict(sorted(kinds.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))),
        time_to_first_token=min(first_tokens) - first_start if first_tokens else None,
        duration=max(ends) - first_start if ends else None,
    )


def document_summary(store, document_id: str, table: PriceTable, price_as: str | None = None) -> UsageSummary:
    """`summarize` over one stored document's attempts (an unknown document sums to zero calls)."""
    return summarize(store.attempts(document_id), table, price_as=price_as)


def summary_dict(s: UsageSummary) -> dict:
    """JSON-ready: cost rounded to 6 decimals (a millionth of a dollar), lists for tuples."""
    return {
        "calls": s.calls,
        "prompt_tokens": s.prompt_tokens,
        "completion_tokens": s.completion_tokens,
        "estimated": s.estimated,
        "cost": round(s.cost, 6),
        "unpriced_models": list(s.unpriced_models),
        "resume_overhead_tokens": s.resume_overhead_tokens,
        "calls_by_kind": dict(s.calls_by_kind),
        "time_to_first_token": s.time_to_first_token,
        "duration": s.duration,
    }
