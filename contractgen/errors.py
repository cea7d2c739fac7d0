"""The errors a person sees. Anything else is a bug and should crash loudly."""

from __future__ import annotations


class ContractgenError(Exception):
    """An expected failure with a message fit to show in the UI and the CLI."""


class InputError(ContractgenError):
    """The request is invalid. `problems` holds one sentence per field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


class ProviderError(ContractgenError):
    """A provider call failed. `kind` is one of the fault kinds of the product brief."""

    def __init__(self, kind: str, message: str, *, retryable: bool, retry_after: float | None = None,
                 status: int | None = None, reason: str | None = None, injected: bool = False):
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status  # the HTTP status, when the provider answered with one
        # "context_length" (the prompt does not fit the model's window) or "empty" (a 200 with an empty
        # stream, which some servers send for the same reason): the resume shrinks what it sends.
        self.reason = reason
        # Made up in this process (a fault thrown by hand, an injected fault plan), not answered by the provider:
        # it says nothing about the endpoint, so it never closes the process-wide 429 gate (ratelimit.py).
        self.injected = injected
        super().__init__(message)


class LeaseLost(ContractgenError):
    """A worker's write was refused: another process holds the draft's lease now (it took the draft over)."""


class DatabaseUnavailable(ContractgenError):
    """The database refused writes for longer than the retry window (locked, connection lost, restarting)."""
