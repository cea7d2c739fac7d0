"""Settings, read in one place and passed down. Nothing reads the environment at import time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    # repr=False: the key must never reach a log line, an error message or an export.
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    # Explicit timeouts instead of the SDK's 600 s default: a stalled stream
    # must be noticed in seconds, not minutes.
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # Optional: no text this long after a request, or a call running this long, is a timeout fault.
    first_token_timeout: float | None = None
    deadline: float | None = None
    # Offline engine speed in tokens per second; 0 means as fast as possible.
    rate: float = 50.0
    provider: str = "auto"  # "auto" | "offline" | "openai"
    fallback_models: tuple[str, ...] = ()
    max_resumes: int = 3
    auto_resume: bool = True
    fault_plan: str = ""  # see faultplan.py; empty: no injected faults
    mode: str = "stream"  # stream | chunks | sections (see modes.py)
    group_size: int = 4  # sections per call in the chunks mode
    database_url: str | None = None  # None: sqlite file under ./data
    retention_days: float = 730.0  # documents untouched this long are deleted by cleanup (keeps a year of metrics)

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
            "CONTRACTGEN_RATE": "rate",
            "CONTRACTGEN_PROVIDER": "provider",
            "CONTRACTGEN_DATABASE_URL": "database_url",
            "CONTRACTGEN_MAX_RESUMES": "max_resumes",
            "CONTRACTGEN_FAULTS": "fault_plan",
            "CONTRACTGEN_RETENTION_DAYS": "retention_days",
            "CONTRACTGEN_MODE": "mode",
            "CONTRACTGEN_GROUP_SIZE": "group_size",
        }
        for env_name, attr in names.items():
            value = source.get(env_name)
            if value not in (None, ""):
                merged[attr] = value
        merged.update({k: v for k, v in overrides.items() if v is not None})
        for attr in ("connect_timeout", "read_timeout", "rate", "first_token_timeout", "deadline", "retention_days"):
            if attr in merged:
                merged[attr] = _number(attr, merged[attr])
        for attr in ("max_resumes", "group_size"):
            if attr in merged:
                merged[attr] = int(_number(attr, merged[attr]))
        if "fallback_models" in merged:
            merged["fallback_models"] = tuple(m for m in merged["fallback_models"] if m)
        return cls(**merged)

    def public(self) -> dict[str, Any]:
        """What may be stored with a document: everything but the key (and any credentials in the URL)."""
        return {"provider": self.provider_name, "base_url": safe_url(self.base_url), "model": self.model,
                "fallback_models": list(self.fallback_models), "connect_timeout": self.connect_timeout,
                "read_timeout": self.read_timeout, "first_token_timeout": self.first_token_timeout,
                "deadline": self.deadline, "rate": self.rate, "max_resumes": self.max_resumes,
                "auto_resume": self.auto_resume, "fault_plan": self.fault_plan, "mode": self.mode,
                "group_size": self.group_size}

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _number(name: str, value: Any) -> float:
    from .errors import InputError

    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError([f"Setting {name} must be a number, not \u201c{value}\u201d."]) from None
    if number < 0:
        raise InputError([f"Setting {name} must not be negative."])
    return number


def safe_url(url: str | None) -> str | None:
    """A URL without its user-info part (https://user:key@host -> https://host): safe to store and show."""
    if not url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
