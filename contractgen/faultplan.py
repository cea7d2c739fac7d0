"""Fault injection plans: which faults strike, and where, for demos and tests.

A plan is written `KIND[@WHERE]` items separated by commas, e.g.
`reset@5000,stall@12000,429` or `cut@random`. WHERE is a character position in
the document (absolute, so it means the same in every mode and attempt), or
`random`; without it the fault strikes at the start of the next call. Each
fault strikes once: the first time a stream reaches its position.

The same plan drives the in-process wrapper (any provider) and
`contractgen serve-offline --fault` (real socket-level faults).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from .errors import InputError, ProviderError

# kind -> (what happens, the fault kind the client should detect)
KINDS: dict[str, tuple[str, str]] = {
    "stall": ("the stream stops sending with the socket open", "timeout"),
    "reset": ("the TCP connection is reset", "connection"),
    "cut": ("the connection closes inside the chunked body", "connection"),
    "truncated": ("the stream ends cleanly without a finish_reason", "truncated"),
    "429": ("HTTP 429 with Retry-After", "rate_limit"),
    "503": ("HTTP 503", "server_error"),
    "500": ("HTTP 500", "server_error"),
    "408": ("HTTP 408 (request timeout, retried)", "timeout"),
    "409": ("HTTP 409 (conflict, retried)", "server_error"),
    "malformed": ("a chunk that is not valid JSON", "malformed"),
    "error_event": ("an in-band {\"error\": ...} event", "malformed"),
    "length": ("finish_reason \"length\"", "length"),
    "401": ("HTTP 401 (fatal)", "fatal"),
    "empty": ("HTTP 200 with an empty stream (what some servers send for a prompt over their context)", "truncated"),
    "context": ("HTTP 400 context_length_exceeded", "fatal"),
}
# Faults that answer a request before any text: they have no position.
AT_START = {"429", "503", "500", "408", "409", "401", "empty", "context"}
# The reason a kind carries (errors.ProviderError.reason): a resume sends less of the text after it.
REASONS = {"empty": "empty", "context": "context_length"}


def error_for(kind: str, said: str) -> ProviderError:
    """The error a fault of `kind` raises in-process (planned or thrown by hand): detected as what it imitates.
    `injected`: it is this draft's only; an endpoint that was never saturated makes no other draft wait."""
    what, detected = KINDS[kind]
    return ProviderError(detected, f"{said}: {what}.", retryable=detected != "fatal",
                         retry_after=1.0 if kind == "429" else None, reason=REASONS.get(kind), injected=True)


@dataclass
class Fault:
    kind: str
    at: int | None = None  # character position in the document; None = next call
    fired: bool = False

    def spec(self) -> str:
        return self.kind if self.at is None else f"{self.kind}@{self.at}"


@dataclass
class FaultPlan:
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, spec: str | None, *, length: int = 20_000, seed: int | None = None) -> "FaultPlan":
        """`length` bounds `random` positions (roughly the document's size)."""
        rng = random.Random(seed)
        faults = []
        for item in (spec or "").split(","):
            item = item.strip()
            if not item:
                continue
            kind, _, where = item.partition("@")
            kind = kind.strip().lower()
            if kind not in KINDS:
                raise InputError([f"Unknown fault \u201c{kind}\u201d; use one of: {', '.join(KINDS)}."])
            if not where or kind in AT_START:
                at = None
            elif where == "random":
                at = rng.randrange(1, max(2, length))
            else:
                try:
                    at = int(where)
                except ValueError:
                    raise InputError([f"Fault position \u201c{where}\u201d must be a number of characters or \u201crandom\u201d."]) from None
                if at < 0:
                    raise InputError(["Fault position must not be negative."])
            faults.append(Fault(kind, at))
        return cls(faults)

    def __bool__(self) -> bool:
        return bool(self.faults)

    def spec(self) -> str:
        return ",".join(f.spec() for f in self.faults)

    def take_at_start(self) -> Fault | None:
        """The next unfired positionless fault, marked fired."""
        with self._lock:
            for fault in self.faults:
                if not fault.fired and fault.at is None:
                    fault.fired = True
                    return fault
        return None

    def next_position(self, start: int) -> Fault | None:
        """The first unfired positioned fault at or after `start` (or before it: it strikes at once)."""
        with self._lock:
            pending = [f for f in self.faults if not f.fired and f.at is not None]
            return min(pending, key=lambda f: f.at) if pending else None

    def fire(self, fault: Fault) -> None:
        with self._lock:
            fault.fired = True
