"""One shared backoff per provider endpoint: when it answers 429, every call of this process to it waits.

Drafts run side by side (a batch, parallel sections, several pages) each back
off from their own faults; a 429 is different: it says the *provider* is
saturated, so the other drafts' next calls to the same endpoint and model
should not hit it during its Retry-After either (each would get a 429 of its
own, spend a resume on it and make the limit last longer).

    key = ratelimit.key(base_url, model)   # a provider endpoint and model
    ratelimit.wait(key, cancel)            # before a call: sleeps while the gate is closed
    ratelimit.hit(key, retry_after)        # on a 429: closes the gate for that long

The gate is process-wide and only ever moves later (a shorter Retry-After
never reopens it early). It holds the Retry-After as the provider sent it: a
draft finding it closed for longer than its policy's `retry_after_cap` (or
past its overall deadline) does not wait at it but moves to its fallback, or
fails saying so (resume.py), as for a 429 of its own. A key of "" has no gate (the in-process offline
engine: nothing shared to saturate). Nothing is stored: a restart forgets it,
which errs on the side of one more 429, never of waiting for nothing.
"""

from __future__ import annotations

import threading
import time

from .config import safe_url

DEFAULT_SECONDS = 1.0  # a 429 without Retry-After

_until: dict[str, float] = {}  # key -> monotonic time the gate opens
_lock = threading.Lock()


def key(base_url: str | None, model: str) -> str:
    """The gate of an endpoint and model (the URL without credentials: the key is shown in logs and tests)."""
    return f"{safe_url(base_url) or 'api.openai.com'}|{model}"


def hit(gate: str, retry_after: float | None = None, *, now: float | None = None) -> float:
    """A 429 from `gate`'s endpoint: close it for `retry_after` seconds (default 1). Returns when it opens."""
    if not gate:
        return 0.0
    seconds = max(0.0, retry_after if retry_after is not None else DEFAULT_SECONDS)
    now = time.monotonic() if now is None else now
    with _lock:
        _until[gate] = max(_until.get(gate, 0.0), now + seconds)
        return _until[gate]


def remaining(gate: str, *, now: float | None = None) -> float:
    """Seconds until `gate` opens (0 when open)."""
    if not gate:
        return 0.0
    now = time.monotonic() if now is None else now
    with _lock:
        return max(0.0, _until.get(gate, 0.0) - now)


def wait(gate: str, cancel: threading.Event | None = None) -> float:
    """Block while `gate` is closed (a later hit extends the wait); returns the seconds waited. A set `cancel`
    ends the wait at once."""
    waited = 0.0
    while (left := remaining(gate)) > 0:
        if cancel is not None:
            if cancel.wait(left):
                break
        else:
            time.sleep(left)
        waited += left
    return waited


def reset() -> None:
    """Open every gate (tests)."""
    with _lock:
        _until.clear()
