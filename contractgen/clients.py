"""One `openai.OpenAI` client per provider configuration, shared by the whole process.

Building a client is not free: each one loads the TLS certificate store and
sets up its own connection pool (20-70 ms, measured in issue 11), and a draft
used to build several (start, label, worker, each resume, chunk, section and
fallback). Every call, resume, fallback and parallel section of the process
now takes its client from here, so the cost is paid once per configuration and
kept-alive connections are reused between calls.

The cache key is the configuration that makes two clients differ: base URL,
API key, connect and read timeouts. The API key enters the cache key only as a
SHA-256 digest (and a ClientKey's repr shows neither it nor the URL). The key
itself is kept only in memory, inside the cached `openai.OpenAI` client, which
needs it to authenticate every call: it is never logged, never stored on disk,
never part of the cache key. The SDK's own retries stay off:
retries belong to contractgen's resume logic, which keeps the partial text.

The client is thread-safe (its pool serves concurrent streams), so parallel
section calls share one.
"""

from __future__ import annotations

import hashlib
import threading
from typing import NamedTuple

import openai


class ClientKey(NamedTuple):
    base_url: str
    key_digest: str  # sha256 of the API key: the cache key never holds the key itself (the client does)
    read_timeout: float
    connect_timeout: float

    def __repr__(self) -> str:  # the URL may carry credentials (config.safe_url): show neither it nor the digest
        return f"ClientKey(read_timeout={self.read_timeout:g}, connect_timeout={self.connect_timeout:g})"


_clients: dict[ClientKey, openai.OpenAI] = {}
_lock = threading.Lock()
built = 0  # clients built by this process (tests and the engine benchmark read it)


def key_for(api_key: str | None, base_url: str | None, read_timeout: float, connect_timeout: float) -> ClientKey:
    digest = hashlib.sha256((api_key or "").encode("utf-8")).hexdigest()
    return ClientKey(base_url or "", digest, float(read_timeout), float(connect_timeout))


def client_for(api_key: str | None, base_url: str | None, read_timeout: float, connect_timeout: float) -> openai.OpenAI:
    """The process's client for this configuration, built on first use."""
    global built
    key = key_for(api_key, base_url, read_timeout, connect_timeout)
    client = _clients.get(key)  # the common case takes no lock: a dict read is atomic
    if client is not None:
        return client
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                # Local OpenAI-compatible servers need no key, but the SDK insists on one.
                api_key=api_key or "unused",
                base_url=base_url or None,
                timeout=openai.Timeout(read_timeout, connect=connect_timeout),
                # Retries belong to contractgen's resume logic, which keeps the
                # partial text; the SDK's own retries would start over silently.
                max_retries=0,
            )
            _clients[key] = client
            built += 1
        return client


def clear() -> None:
    """Close and forget every cached client (tests; a long-lived process whose keys were rotated)."""
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing is best effort: the pool may already be gone
            pass
