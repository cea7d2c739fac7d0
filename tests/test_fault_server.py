"""Socket-level faults from `OfflineServer`, met by the REAL `openai` client (never patched or mocked).

Every kind in faultplan.KINDS must reach `OpenAIProvider` as the ProviderError
kind the table promises, after exactly the text up to the fault's position.
"""

import http.client
import json
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from contractgen.cli import EXIT_INPUT, main
from contractgen.config import Settings
from contractgen.errors import ProviderError
from contractgen.faultplan import AT_START, KINDS, FaultPlan
from contractgen.prompts import build_messages
from contractgen.providers import OpenAIProvider
from contractgen.server import OfflineServer

from support import ServedOffline, reference

AT = 3000


@contextmanager
def serving(spec: str = "", **options):
    options.setdefault("stall_seconds", 5.0)
    server = OfflineServer(port=0, rate=0, plan=FaultPlan.parse(spec), **options)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def provider(base_url: str, read_timeout: float = 1.0) -> OpenAIProvider:
    return OpenAIProvider(Settings(base_url=base_url, model="contractgen-offline", read_timeout=read_timeout,
                                   connect_timeout=2.0))


def run(base_url: str, request, partial: str = "", read_timeout: float = 1.0):
    """(text, finish reasons, ProviderError or None) of one streamed call."""
    texts, finishes = [], []
    try:
        for delta in provider(base_url, read_timeout).stream(request, partial):
            texts.append(delta.text)
            if delta.finish_reason:
                finishes.append(delta.finish_reason)
    except ProviderError as exc:
        return "".join(texts), finishes, exc
    return "".join(texts), finishes, None


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_fault_reaches_the_real_client_as_its_kind(kind, acme):
    full = reference(acme)
    spec = kind if kind in AT_START else f"{kind}@{AT}"
    with serving(spec) as server:
        started = time.monotonic()
        text, finishes, error = run(server.base_url, acme)
        elapsed = time.monotonic() - started
        expected = KINDS[kind][1]
        if kind == "truncated":
            # A clean end without a finish_reason: the provider cannot tell; the caller must.
            assert error is None and finishes == []
        elif kind == "length":
            assert error is None and finishes[-1] == "length"
        else:
            assert error is not None, f"{kind} raised nothing"
            assert error.kind == expected, (kind, error.kind, str(error))
        # Exact, even for reset: the server waits until the kernel has no unacknowledged
        # bytes (SIOCOUTQ) plus 50 ms before the RST, and Linux keeps data already
        # received readable after an RST, so nothing sent before the fault is lost.
        assert text == ("" if kind in AT_START else full[:AT])
        assert elapsed < 3.0  # the stall is noticed by read_timeout=1.0

        # Each fault strikes once: the next call to the same server gets the whole document.
        text, finishes, error = run(server.base_url, acme)
        assert error is None and text == full and finishes == ["stop"]
        assert all(f.fired for f in server.plan.faults)


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in AT_START and k not in ("truncated", "length")])
def test_a_stream_fault_without_a_position_strikes_before_any_text(kind, acme):
    with serving(kind) as server:
        text, _, error = run(server.base_url, acme, reference(acme)[:5000])
        assert error.kind == KINDS[kind][1] and text == ""


def test_a_continuation_strikes_at_the_document_position(acme):
    full = reference(acme)
    with serving("reset@8000") as server:
        text, _, error = run(server.base_url, acme, full[:5000])
        assert error.kind == "connection"
        assert text == full[5000:8000]


def test_a_fault_behind_the_continuation_strikes_before_any_text(acme):
    full = reference(acme)
    with serving(f"error_event@{AT}") as server:
        text, _, error = run(server.base_url, acme, full[:5000])
        assert error.kind == "malformed" and text == ""
        text, _, error = run(server.base_url, acme, full[:5000])
        assert error is None and full[:5000] + text == full


def test_faults_strike_in_order_across_resumed_calls(acme):
    """What contractgen's resume loop will do: resume from the text so far. The positionless 429 answers the first call."""
    full = reference(acme)
    with serving("cut@2000,429,stall@9000,length@15000,malformed@21000", stall_seconds=2.0, retry_after=0) as server:
        text, seen = "", []
        for _ in range(10):
            got, finishes, error = run(server.base_url, acme, text)
            text += got
            seen.append(error.kind if error else finishes[-1])
            if seen[-1] == "stop":
                break
        assert seen == ["rate_limit", "connection", "timeout", "length", "malformed", "stop"]
        assert text == full


def test_repeat_starts_a_continuation_with_the_tail_of_the_partial(acme):
    full = reference(acme)
    partial = full[:5000]
    with serving(repeat=37) as server:
        text, finishes, error = run(server.base_url, acme, partial)
        assert error is None and finishes == ["stop"]
        assert text.startswith(partial[-37:])
        assert text == partial[-37:] + full[5000:]
        # A first call has nothing to repeat.
        assert run(server.base_url, acme)[0] == full


def test_a_repeat_does_not_move_fault_positions(acme):
    full = reference(acme)
    with serving("truncated@8000", repeat=37) as server:
        text, finishes, error = run(server.base_url, acme, full[:5000])
        assert error is None and finishes == []
        assert text == full[4963:5000] + full[5000:8000]


def test_random_repeat_is_seeded_and_at_most_200(acme):
    full = reference(acme)
    partial = full[:5000]
    counts = []
    for _ in range(2):
        with serving(repeat="random", seed=7) as server:
            texts = [run(server.base_url, acme, partial)[0] for _ in range(3)]
        rest = full[5000:]
        assert all(t.endswith(rest) for t in texts)
        counts.append([len(t) - len(rest) for t in texts])
    assert counts[0] == counts[1] and all(0 <= k <= 200 for k in counts[0])
    assert len(set(counts[0])) > 1


def test_429_carries_retry_after_in_both_forms(acme):
    with serving("429,429", retry_after=2.5) as server:
        _, _, error = run(server.base_url, acme)
        assert error.kind == "rate_limit" and error.retryable and error.retry_after == 2.5
        # The raw answer, as any client sees it.
        url = urlsplit(server.base_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        body = {"model": "contractgen-offline", "messages": build_messages(acme), "stream": True}
        conn.request("POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.status == 429
        assert response.getheader("Retry-After") == "3" and response.getheader("retry-after-ms") == "2500"
        assert json.loads(response.read())["error"]["code"] == "rate_limit_exceeded"
        conn.close()


def test_a_stall_ends_by_closing_when_the_client_waits_longer(acme):
    full = reference(acme)
    with serving(f"stall@{AT}", stall_seconds=0.3) as server:
        started = time.monotonic()
        text, _, error = run(server.base_url, acme, read_timeout=5.0)
        # The server closes inside the chunked body: a dropped connection, not a timeout.
        assert error.kind == "connection" and text == full[:AT]
        assert time.monotonic() - started < 2.0


def test_one_fault_strikes_one_of_many_concurrent_streams(acme):
    full = reference(acme)
    results = []
    with serving(f"reset@{AT}") as server:
        def call():
            results.append(run(server.base_url, acme, read_timeout=5.0))

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    errors = [e for _, _, e in results if e is not None]
    assert len(results) == 6 and len(errors) == 1 and errors[0].kind == "connection"
    assert sorted(len(text) for text, _, _ in results) == [AT] + [len(full)] * 5


def test_serve_offline_fault_flag(acme):
    server = ServedOffline("--rate", "0", "--fault", "reset@4000")
    try:
        full = reference(acme)
        text, _, error = run(server.base_url, acme)
        assert error.kind == "connection" and text == full[:4000]
        text, finishes, error = run(server.base_url, acme)
        assert error is None and text == full and finishes == ["stop"]
    finally:
        server.stop()


@pytest.mark.parametrize(("args", "message"), [
    (["--fault", "meteor@10"], "Unknown fault"),
    (["--fault", "reset@soon"], "must be a number of characters"),
    (["--repeat", "lots"], "--repeat takes a number"),
    (["--repeat", "-3"], "--repeat must not be negative"),
    (["--stall-seconds", "x"], "--stall-seconds takes a number of seconds"),
    (["--retry-after", "-1"], "--retry-after must be a non-negative number"),
    (["--seed", "abc"], "--seed takes a whole number"),
])
def test_bad_fault_options_exit_2_before_listening(args, message, capsys):
    assert main(["serve-offline", "--port", "0", *args]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err
