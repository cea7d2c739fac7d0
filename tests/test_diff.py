"""Revising a draft: comparing two versions (sections added, removed, changed, words marked), the comparison's
HTML export, and a regenerated section's instruction reaching a real model server."""

import re

import pytest

from contractgen import diff, prompts
from contractgen.config import Settings
from contractgen.generation import GenerationManager, follow
from contractgen.offline import OfflineEngine
from contractgen.request import parse_request
from contractgen.server import OfflineServer
from contractgen.storage import Store

OLD = "# Terms\n\nIntro.\n\n## 1. Refunds\n\nRefunds within 14 days.\n\n## 2. Law\n\nDelaware.\n\n## 3. Gone\n\nBye.\n"
NEW = "# Terms\n\nIntro.\n\n## 1. Refunds\n\nRefunds within 30 days, no questions asked.\n\n## 2. Privacy\n\nNew.\n\n" \
      "## 3. Law\n\nDelaware.\n"


def test_sections_are_matched_by_title_and_words_marked():
    d = diff.compare(OLD, NEW)
    assert [(s.title, s.status) for s in d.sections] == [
        ("Preamble", "unchanged"), ("Refunds", "changed"), ("Privacy", "added"), ("Law", "unchanged"),
        ("Gone", "removed")]
    law = next(s for s in d.sections if s.title == "Law")
    assert (law.old_number, law.new_number) == ("2", "3")  # renumbered, not changed
    refunds = next(s for s in d.sections if s.title == "Refunds")
    assert ("delete", "14") in refunds.ops and ("insert", "30") in refunds.ops
    assert "".join(t for k, t in refunds.ops if k != "insert").strip() == "Refunds within 14 days."
    assert "".join(t for k, t in refunds.ops if k != "delete").strip() == "Refunds within 30 days, no questions asked."
    assert d.summary == "1 section changed, 1 added, 1 removed"
    assert diff.compare(NEW, NEW).identical and diff.compare(NEW, NEW).summary == "The two versions are identical."


def test_the_html_comparison_is_inert_and_complete():
    evil = NEW.replace("New.", '<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>')
    page = diff.to_html(diff.compare(OLD, evil), "v1 <b>", "v2")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    assert "<del>14</del>" in page and "<ins>30</ins>" in page
    assert re.search(r'<section class="removed"><h3>3\. Gone', page)
    assert "v1 &lt;b&gt;" in page
    assert diff.NOT_LEGAL_ADVICE in page


def test_two_offline_versions_differ_only_where_the_answers_do():
    def text(days):
        request = parse_request({"company": "Acme", "payments": True, "refund_days": days})
        return "".join(d.text for d in OfflineEngine(rate=0).stream(request, ""))

    d = diff.compare(text(14), text(30))
    changed = [s.title for s in d.sections if s.status != "unchanged"]
    assert changed and all(s.status == "changed" for s in d.sections if s.status != "unchanged")
    assert all("14" in "".join(t for k, t in s.ops if k == "delete") for s in d.sections if s.status == "changed")


def test_a_regenerated_sections_instruction_reaches_the_model(database_url, monkeypatch):
    seen = []
    real = prompts.parse_messages

    def recording(messages):  # the server side of a real socket: what the model is sent
        seen.append(messages)
        return real(messages)

    monkeypatch.setattr(prompts, "parse_messages", recording)
    import contractgen.server as server_module
    if hasattr(server_module, "parse_messages"):
        monkeypatch.setattr(server_module, "parse_messages", recording)
    server = OfflineServer(port=0, rate=0)
    server.start_in_thread()
    store = Store(database_url)
    try:
        manager = GenerationManager(store)
        model = Settings(provider="openai", base_url=server.base_url, api_key="sk-test", model="contractgen-offline")
        parent = manager.start(parse_request({"company": "Acme", "payments": True}), model)
        follow(parent, poll=0.05)
        parent.join(5)
        assert parent.status == "completed"
        seen.clear()
        child = manager.new_version(parent.id, model, regenerate=3, instruction="stricter on refunds")
        follow(child, poll=0.05)
        child.join(5)
        assert child.status == "completed"
        prompts_sent = [m["content"] for messages in seen for m in messages if m["role"] == "user"]
        assert any('"stricter on refunds"' in p for p in prompts_sent), prompts_sent
        assert store.get(child.id).settings["regenerate_instruction"] == "stricter on refunds"
        # The template engine cannot follow one: no instruction in its calls (the page says it writes the same text).
        offline = manager.new_version(parent.id, Settings(provider="offline", rate=0), regenerate=3,
                                      instruction="shorter")
        follow(offline, poll=0.05)
        offline.join(5)
        assert offline.status == "completed"
        with pytest.raises(Exception, match="the limit is 300"):
            manager.new_version(parent.id, model, regenerate=3, instruction="x" * 301)
    finally:
        server.shutdown()
        server.server_close()
        store.close()


def test_the_page_folds_what_did_not_change_and_the_export_keeps_all():
    long = "word " * 200
    d = diff.compare(f"## 1. A\n\n{long}fourteen days. {long}\n", f"## 1. A\n\n{long}thirty days. {long}\n")
    folded, full = diff.fragment(d), diff.to_html(d, "a", "b")
    assert "<del>fourteen</del>" in folded and "<ins>thirty</ins>" in folded and "[…]" in folded
    assert len(folded) < len(full) and "[…]" not in full and long.strip() in full
