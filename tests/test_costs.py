"""Costs from stored attempts, against a real SQLite store: hand-computed tokens, dollars and timings."""

import subprocess
import sys
from importlib import resources

import pytest

from contractgen.costs import PriceTable, UsageSummary, cost, document_summary, summarize, summary_dict
from contractgen.errors import InputError
from contractgen.storage import Store


@pytest.fixture
def table():
    return PriceTable.load({})


def attempt(store, doc, *, kind, model, start, first, end, chars, prompt, completion, outcome="completed",
            offset=0, estimated=False):
    attempt_id = store.start_attempt(doc, kind=kind, model=model, provider="openai", start_offset=offset, now=start)
    store.end_attempt(attempt_id, outcome=outcome, output_chars=chars, first_token_at=first,
                      prompt_tokens=prompt, completion_tokens=completion, tokens_estimated=estimated, now=end)
    return attempt_id


def new_document(store, doc="doc1", model="gpt-4o-mini"):
    store.create_document(id=doc, doc_type="tos", request={"company": "Acme"}, provider="openai", model=model,
                          now=999.0)


@pytest.fixture
def faulted(store):
    """Initial call cut by a fault before its usage chunk, an automatic resume that faults too, a fallback."""
    new_document(store)
    first = attempt(store, "doc1", kind="initial", model="gpt-4o-mini", start=1000.0, first=1000.8, end=1004.0,
                    chars=1000, prompt=None, completion=None, outcome="fault")
    fault = store.record_fault("doc1", attempt_id=first, kind="connection", message="reset", retryable=True,
                               offset=1000, now=1004.0)
    second = attempt(store, "doc1", kind="resume", model="gpt-4o-mini", start=1005.0, first=1005.5, end=1010.0,
                     chars=2002, prompt=1200, completion=500, outcome="fault", offset=1000)
    store.record_resume("doc1", fault_id=fault, attempt_id=second, auto=True, requested_at=1004.5, now=1005.0)
    # A dated model name: priced as gpt-4.1-mini by prefix.
    attempt(store, "doc1", kind="fallback", model="gpt-4.1-mini-2025-04-14", start=1011.0, first=1011.25,
            end=1020.0, chars=3000, prompt=1800, completion=750, offset=3002)
    return "doc1"


def test_a_faulted_resumed_and_fallen_back_document(store, table, faulted):
    s = document_summary(store, faulted, table)
    assert s.calls == 3
    # The cut initial call: prompt reused from the resume (1200), completion ceil(1000 / 4) = 250.
    assert s.prompt_tokens == 1200 + 1200 + 1800 == 4200
    assert s.completion_tokens == 250 + 500 + 750 == 1500
    assert s.estimated is True
    # gpt-4o-mini 0.15 / 0.60, gpt-4.1-mini 0.40 / 1.60 dollars per 1M tokens:
    #   initial  1200 * 0.15 + 250 * 0.60 = 330     (millionths of a dollar)
    #   resume   1200 * 0.15 + 500 * 0.60 = 480
    #   fallback 1800 * 0.40 + 750 * 1.60 = 1920
    assert s.cost == pytest.approx(0.00273, abs=1e-12)
    assert s.unpriced_models == ()
    assert s.resume_overhead_tokens == 1200 + 1800 == 3000
    assert s.calls_by_kind == {"initial": 1, "resume": 1, "fallback": 1}
    assert s.time_to_first_token == pytest.approx(0.8)
    assert s.duration == pytest.approx(20.0)
    assert summary_dict(s) == {
        "calls": 3, "prompt_tokens": 4200, "completion_tokens": 1500, "estimated": True, "cost": 0.00273,
        "unpriced_models": [], "resume_overhead_tokens": 3000,
        "calls_by_kind": {"initial": 1, "resume": 1, "fallback": 1},
        "time_to_first_token": s.time_to_first_token, "duration": s.duration,
    }


def test_price_as_bills_every_call_at_one_model(store, table, faulted):
    s = document_summary(store, faulted, table, price_as="gpt-4o")
    # 4200 * 2.50 + 1500 * 10.00 millionths of a dollar.
    assert s.cost == pytest.approx(0.0255, abs=1e-12)
    assert s.prompt_tokens == 4200 and s.completion_tokens == 1500
    assert summarize(store.attempts(faulted), table, price_as="contractgen-offline").cost == 0.0
    unknown = summarize(store.attempts(faulted), table, price_as="no-such-model")
    assert unknown.cost == 0.0 and unknown.unpriced_models == ("no-such-model",)


def test_reported_figures_are_not_estimated(store, table):
    new_document(store)
    attempt(store, "doc1", kind="initial", model="gpt-4o", start=10.0, first=10.5, end=12.0, chars=400,
            prompt=300, completion=100)
    s = document_summary(store, "doc1", table)
    assert (s.estimated, s.prompt_tokens, s.completion_tokens, s.resume_overhead_tokens) == (False, 300, 100, 0)
    assert s.cost == pytest.approx((300 * 2.50 + 100 * 10.00) / 1e6)


def test_provider_estimates_mark_the_summary_estimated(store, table):
    new_document(store, model="contractgen-offline")
    attempt(store, "doc1", kind="initial", model="contractgen-offline", start=0.0, first=0.1, end=1.0, chars=40,
            prompt=30, completion=10, estimated=True)
    s = document_summary(store, "doc1", table)
    assert s.estimated is True and s.cost == 0.0 and s.unpriced_models == ()


def test_a_cut_call_with_no_later_usage_estimates_prompt_zero(store, table):
    new_document(store)
    attempt(store, "doc1", kind="initial", model="gpt-4o-mini", start=0.0, first=None, end=3.0, chars=0,
            prompt=None, completion=None, outcome="fault")
    attempt(store, "doc1", kind="resume", model="gpt-4o-mini", start=4.0, first=4.5, end=6.0, chars=9,
            prompt=None, completion=None, outcome="fault")
    s = document_summary(store, "doc1", table)
    assert (s.prompt_tokens, s.completion_tokens, s.estimated) == (0, 0 + 3, True)  # ceil(9 / 4) = 3
    assert s.time_to_first_token == pytest.approx(4.5)  # the first call delivered nothing
    assert s.duration == pytest.approx(6.0)


def test_a_running_call_counts_but_has_no_end(store, table):
    new_document(store)
    store.start_attempt("doc1", kind="initial", model="gpt-4o-mini", provider="openai", start_offset=0, now=5.0)
    s = document_summary(store, "doc1", table)
    assert (s.calls, s.estimated, s.time_to_first_token, s.duration) == (1, True, None, None)


def test_no_attempts(store, table):
    new_document(store)
    s = document_summary(store, "doc1", table)
    assert s == UsageSummary(calls=0, prompt_tokens=0, completion_tokens=0, estimated=False, cost=0.0,
                             unpriced_models=(), resume_overhead_tokens=0, calls_by_kind={},
                             time_to_first_token=None, duration=None)


def test_unpriced_models_cost_nothing_and_are_reported(store, table):
    new_document(store, model="mystery-model")
    attempt(store, "doc1", kind="initial", model="mystery-model", start=0.0, first=1.0, end=2.0, chars=100,
            prompt=1000, completion=1000, outcome="fault")
    attempt(store, "doc1", kind="fallback", model="gpt-4o-mini", start=3.0, first=3.5, end=5.0, chars=100,
            prompt=1000, completion=1000)
    attempt(store, "doc1", kind="fallback", model="another-model", start=6.0, first=6.5, end=7.0, chars=100,
            prompt=1, completion=1)
    s = document_summary(store, "doc1", table)
    assert s.unpriced_models == ("another-model", "mystery-model")
    assert s.cost == pytest.approx((1000 * 0.15 + 1000 * 0.60) / 1e6)
    assert s.calls_by_kind == {"initial": 1, "fallback": 2}


def test_estimates_stay_within_their_document(store, table):
    new_document(store, "a")
    new_document(store, "b")
    attempt(store, "a", kind="initial", model="gpt-4o-mini", start=0.0, first=0.5, end=1.0, chars=8,
            prompt=None, completion=None, outcome="fault")
    attempt(store, "b", kind="initial", model="gpt-4o-mini", start=2.0, first=2.5, end=3.0, chars=8,
            prompt=777, completion=2)
    s = summarize(store.attempts("a") + store.attempts("b"), table)
    assert (s.calls, s.prompt_tokens, s.completion_tokens) == (2, 0 + 777, 2 + 2)


def test_prefix_matching_takes_the_longest_configured_name(table):
    assert table.price("gpt-4o-mini") == (0.15, 0.60)
    assert table.price("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert table.price("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert table.price("gpt-4.1-nano-2025-04-14") == (0.10, 0.40)
    assert table.price("gpt-4.1-2025-04-14") == (2.00, 8.00)
    assert table.price("o4-mini-2025-04-16") == (1.10, 4.40)
    assert table.price("contractgen-offline") == (0.0, 0.0)
    assert table.price("gpt-3.5-turbo") is None
    assert table.price("4o-mini") is None  # a prefix, not a substring
    assert cost(table, "gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost(table, "claude-x", 10, 10) is None


def test_an_exact_name_beats_a_longer_prefix():
    table = PriceTable({"gpt-4o": (1.0, 1.0), "gpt-4o-mini": (2.0, 2.0), "gpt-4o-mini-x": (3.0, 3.0)})
    assert table.price("gpt-4o-mini") == (2.0, 2.0)
    assert table.price("gpt-4o-mini-xyz") == (3.0, 3.0)
    assert table.price("gpt-4o-mini-y") == (2.0, 2.0)


def test_the_packaged_price_file_ships_with_the_package():
    packaged = resources.files("contractgen") / "prices.toml"
    assert packaged.is_file()
    text = packaged.read_text(encoding="utf-8")
    assert "unpriced" in text and "per 1 million tokens" in text
    table = PriceTable.load({})
    assert {"gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini",
            "contractgen-offline"} <= set(table.prices)


def test_an_override_file_replaces_and_adds(tmp_path, store):
    override = tmp_path / "prices.toml"
    override.write_text('[models."gpt-4o-mini"]\ninput = 1\noutput = 2.5\n\n'
                        '[models."my-model"]\ninput = 3.0\noutput = 4.0\n', encoding="utf-8")
    table = PriceTable.load({"CONTRACTGEN_PRICES": str(override)})
    assert table.price("gpt-4o-mini-2024-07-18") == (1.0, 2.5)
    assert table.price("my-model-v2") == (3.0, 4.0)
    assert table.price("gpt-4o") == (2.50, 10.00)  # the rest of the packaged table stays
    new_document(store, model="my-model")
    attempt(store, "doc1", kind="initial", model="my-model", start=0.0, first=0.1, end=1.0, chars=4,
            prompt=1_000_000, completion=500_000)
    assert document_summary(store, "doc1", table).cost == pytest.approx(3.0 + 2.0)
    assert PriceTable.load({"CONTRACTGEN_PRICES": ""}).prices == PriceTable.load({}).prices


@pytest.mark.parametrize("content, problem", [
    ('[models."gpt-4o"\ninput = 1\n', "is not valid TOML"),
    ('title = "no models"\n', "defines no prices"),
    ('[models."gpt-4o"]\ninput = 1\n', 'models."gpt-4o".output must be a number of dollars per 1M tokens'),
    ('[models."gpt-4o"]\ninput = "cheap"\noutput = 1\n', "(it is 'cheap')"),
    ('[models."gpt-4o"]\ninput = -1\noutput = 1\n', "zero or more"),
    ('[models."gpt-4o"]\ninput = 1\noutput = 1\ncached = 0.5\n', "unknown key(s) cached"),
    ('models = ["gpt-4o"]\n', "defines no prices"),
])
def test_a_malformed_override_is_a_clear_input_error(tmp_path, content, problem):
    override = tmp_path / "bad-prices.toml"
    override.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        PriceTable.load({"CONTRACTGEN_PRICES": str(override)})
    message = str(caught.value)
    assert str(override) in message and "CONTRACTGEN_PRICES" in message
    assert problem in message


def test_a_missing_override_is_a_clear_input_error(tmp_path):
    missing = tmp_path / "nowhere" / "prices.toml"
    with pytest.raises(InputError, match="does not exist") as caught:
        PriceTable.load({"CONTRACTGEN_PRICES": str(missing)})
    assert str(missing) in str(caught.value)


def test_costs_never_imports_streamlit():
    code = "import sys, contractgen.costs; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
