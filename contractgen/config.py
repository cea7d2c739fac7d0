"""Settings, read in one place and passed down. Nothing reads the environment at import time."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    # repr=False: the key must never reach a log line, an error message or an export.
    api_key: str | None = field(default=None, repr=False)
    # repr=False too: a base URL may carry a key in its user info or query string (see safe_url).
    base_url: str | None = field(default=None, repr=False)
    model: str = DEFAULT_MODEL
    # Explicit timeouts instead of the SDK's 600 s default: a stalled stream
    # must be noticed in seconds, not minutes.
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # No text this long after a request is a timeout fault (on by default: stall.FIRST_TOKEN_TIMEOUT; 0 turns it
    # off); a call running longer than `deadline` is one too (off by default).
    first_token_timeout: float | None = 30.0
    deadline: float | None = None
    # The adaptive stall rule (stall.py): silence after text longer than min(read_timeout, max(stall_floor,
    # stall_factor x the stream's 99th percentile gap)) is a stall. Both 0: only the read timeout decides.
    stall_floor: float = 3.5
    stall_factor: float = 4.0
    # One limit for a whole call: same-model retries, waits and fallbacks included (None: off).
    overall_deadline: float | None = None
    # Offline engine speed in tokens per second; 0 means as fast as possible.
    rate: float = 50.0
    provider: str = "auto"  # "auto" | "offline" | "openai"
    fallback_models: tuple[str, ...] = ()
    max_resumes: int = 3
    auto_resume: bool = True
    fault_plan: str = ""  # see faultplan.py; empty: no injected faults
    mode: str = "stream"  # stream | chunks | sections (see modes.py)
    group_size: int = 4  # sections per call in the chunks mode
    parallel: int | None = None  # calls at once in the chunks and sections modes; None: 4 for sections, else 1
    # How a cut stream is asked to continue (continuation.py): auto | prefill | completion | instruct.
    continuation: str = "auto"
    chat_template: str | None = None  # for the completion strategy; None: guessed from the model name
    max_tokens: int | None = None  # per call; None: a default sized for the call (see providers.max_tokens_for)
    resume_tail: int = 2000  # characters of the text a resume sends (with the outline), not the whole text
    # None: sqlite file under ./data. repr=False: a server URL carries a password (storage.shown_url shows it).
    database_url: str | None = field(default=None, repr=False)
    retention_days: float = 730.0  # documents untouched this long are deleted by cleanup (keeps a year of metrics)
    lease_seconds: float = 15.0  # a draft whose writer is silent this long may be taken over by another process
    otel: bool = False  # OpenTelemetry export (telemetry.py): on with OTEL_EXPORTER_OTLP_ENDPOINT or --otel
    otel_capture_content: bool = False  # prompt and draft text in spans: only when explicitly turned on
    # The offline engine's speed changed while it streams (the app's speed control): called for every token,
    # None keeps `rate`. Never stored (not in public()), never compared.
    live_rate: Callable[[], float | None] | None = field(default=None, repr=False, compare=False)

    @property
    def provider_name(self) -> str:
        if self.provider != "auto":
            return self.provider
        return "openai" if (self.api_key or self.base_url) else "offline"

    @classmethod
    def from_env(cls, env: Mapping[str, str], secrets: Mapping[str, Any] | None = None, **overrides: Any) -> "Settings":
        """Environment first, then Streamlit-style secrets, then explicit overrides (CLI flags, form)."""
        merged: dict[str, Any] = {}
        source = {**{k: v for k, v in (secrets or {}).items() if isinstance(v, (str, int, float))}, **env}
        names = {
            "OPENAI_API_KEY": "api_key",
            "OPENAI_BASE_URL": "base_url",
            "OPENAI_MODEL": "model",
            "CONTRACTGEN_CONNECT_TIMEOUT": "connect_timeout",
            "CONTRACTGEN_READ_TIMEOUT": "read_timeout",
            "CONTRACTGEN_FIRST_TOKEN_TIMEOUT": "first_token_timeout",
            "CONTRACTGEN_DEADLINE": "deadline",
            "CONTRACTGEN_STALL_FLOOR": "stall_floor",
            "CONTRACTGEN_STALL_FACTOR": "stall_factor",
            "CONTRACTGEN_OVERALL_DEADLINE": "overall_deadline",
            "CONTRACTGEN_RATE": "rate",
            "CONTRACTGEN_PROVIDER": "provider",
            "CONTRACTGEN_DATABASE_URL": "database_url",
            "CONTRACTGEN_MAX_RESUMES": "max_resumes",
            "CONTRACTGEN_FAULTS": "fault_plan",
            "CONTRACTGEN_RETENTION_DAYS": "retention_days",
            "CONTRACTGEN_MODE": "mode",
            "CONTRACTGEN_GROUP_SIZE": "group_size",
            "CONTRACTGEN_PARALLEL": "parallel",
            "CONTRACTGEN_CONTINUATION": "continuation",
            "CONTRACTGEN_CHAT_TEMPLATE": "chat_template",
            "CONTRACTGEN_MAX_TOKENS": "max_tokens",
            "CONTRACTGEN_RESUME_TAIL": "resume_tail",
            "CONTRACTGEN_LEASE_SECONDS": "lease_seconds",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "otel",
            "CONTRACTGEN_OTEL_CAPTURE_CONTENT": "otel_capture_content",
        }
        for env_name, attr in names.items():
            value = source.get(env_name)
            if value not in (None, ""):
                merged[attr] = value
        merged.update({k: v for k, v in overrides.items() if v is not None})
        for attr in ("connect_timeout", "read_timeout", "rate", "first_token_timeout", "deadline", "retention_days",
                     "lease_seconds", "stall_floor", "stall_factor", "overall_deadline"):
            if attr in merged:
                merged[attr] = _number(attr, merged[attr])
        for attr in ("otel", "otel_capture_content"):  # an endpoint turns export on; capture takes true/1/yes/on
            if isinstance(merged.get(attr), str):
                merged[attr] = attr == "otel" or merged[attr].strip().lower() in ("1", "true", "yes", "on")
        for attr in ("max_resumes", "group_size", "max_tokens", "resume_tail", "parallel"):
            if attr in merged:
                merged[attr] = int(_number(attr, merged[attr]))
        for attr in ("max_tokens", "resume_tail", "parallel"):
            if merged.get(attr) is not None and merged[attr] < 1:
                from .errors import InputError
                raise InputError([f"Setting {attr} must be at least 1."])
        if merged.get("parallel") is not None:
            from .modes import MAX_PARALLEL
            if merged["parallel"] > MAX_PARALLEL:
                from .errors import InputError
                raise InputError([f"Setting parallel must be at most {MAX_PARALLEL} (calls at once in the sections and "
                                  f"chunks modes); not {merged['parallel']}."])
        if "continuation" in merged:
            from .continuation import STRATEGIES
            if merged["continuation"] not in STRATEGIES:
                from .errors import InputError
                raise InputError([f"Unknown continuation strategy \u201c{merged['continuation']}\u201d; "
                                  f"use one of: {', '.join(STRATEGIES)}."])
        if merged.get("group_size", 1) < 1:
            from .errors import InputError

            raise InputError(["Setting group_size must be at least 1 (sections per call in the chunks mode)."])
        if "fallback_models" in merged:
            merged["fallback_models"] = tuple(m for m in merged["fallback_models"] if m)
        return cls(**merged)

    def public(self) -> dict[str, Any]:
        """What may be stored with a document: everything but the key (and any credentials in the URL)."""
        return {"provider": self.provider_name, "base_url": safe_url(self.base_url), "model": self.model,
                "fallback_models": list(self.fallback_models), "connect_timeout": self.connect_timeout,
                "read_timeout": self.read_timeout, "first_token_timeout": self.first_token_timeout,
                "deadline": self.deadline, "stall_floor": self.stall_floor, "stall_factor": self.stall_factor,
                "overall_deadline": self.overall_deadline, "rate": self.rate, "max_resumes": self.max_resumes,
                "auto_resume": self.auto_resume, "fault_plan": self.fault_plan, "mode": self.mode,
                "group_size": self.group_size, "parallel": self.parallel, "continuation": self.continuation, "chat_template": self.chat_template,
                "max_tokens": self.max_tokens, "resume_tail": self.resume_tail}

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _number(name: str, value: Any) -> float:
    from .errors import InputError

    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError([f"Setting {name} must be a number, not \u201c{value}\u201d."]) from None
    if not math.isfinite(number):
        raise InputError([f"Setting {name} must be a finite number, not \u201c{value}\u201d."])
    if number < 0:
        raise InputError([f"Setting {name} must not be negative."])
    return number


INVALID_URL = "<invalid URL>"
# A query parameter whose name contains one of these carries a credential (api_key, api-key, key, token,
# access_token, secret, password, sig, X-Amz-Signature, auth, ...): it is never stored or shown.
_SECRET_NAMES = ("key", "token", "secret", "pass", "pwd", "sig", "auth", "credential", "session", "jwt", "bearer")
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")  # an OpenAI-style key anywhere in the rest of the URL
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>`]+")


def _secret_name(name: str) -> bool:
    from urllib.parse import unquote_plus

    lowered = unquote_plus(name).strip().lower()
    return any(word in lowered for word in _SECRET_NAMES)


def safe_url(url: str | None) -> str | None:
    """A URL without credentials, safe to store, show, log and export; never raises.

    Removed: the user-info part (https://user:key@host -> https://host), every query parameter named like a
    key or token (?api_key=..., &token=..., &sig=...), the fragment, and anything shaped like an `sk-` key.
    A URL that cannot be parsed is replaced by INVALID_URL as a whole (it may hold a key we cannot find)."""
    if not url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(str(url).strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number or out of range
    except ValueError:
        return INVALID_URL
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(p for p in parts.query.split("&") if p and not _secret_name(p.split("=", 1)[0]))
    return _KEY_LIKE.sub("sk-***", urlunsplit(parts._replace(netloc=netloc, query=query, fragment="")))


def redact_urls(text: str) -> str:
    """`text` (an error message, a log line) with every URL in it passed through safe_url, and `sk-` keys masked."""
    return _KEY_LIKE.sub("sk-***", _URL_IN_TEXT.sub(lambda m: safe_url(m.group(0)) or "", str(text)))


def check_base_url(url: str | None, name: str = "--base-url") -> None:
    """Refuse, with one sentence, a base URL the HTTP client cannot use (before anything is generated).

    The URL itself is never repeated in the message: it may hold a key."""
    if not url:
        return
    from urllib.parse import urlsplit

    from .errors import InputError

    example = "use the form http://127.0.0.1:11434/v1 or https://api.openai.com/v1"
    value = str(url).strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number or out of range
    except ValueError as exc:
        why = "its IPv6 address is not closed with ]" if "IPv6" in str(exc) else "its port is not a number from 0 to 65535"
        raise InputError([f"{name} is not a valid URL: {why}; {example}."]) from None
    if any(c.isspace() or not c.isprintable() for c in value):
        raise InputError([f"{name} is not a valid URL: it contains spaces or control characters; {example}."])
    if not parts.scheme or not parts.hostname:
        raise InputError([f"{name} is not a valid URL: it needs http:// or https:// and a host name; {example}."])
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError([f"{name} must start with http:// or https://, not {parts.scheme[:20]}://; {example}."])
