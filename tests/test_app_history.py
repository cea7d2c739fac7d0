"""The History page through AppTest (via the router, as people reach it): list, search, act on drafts."""

import pytest
from streamlit.testing.v1 import AppTest

from contractgen.config import Settings
from contractgen.generation import follow, manager
from contractgen.request import parse_request

from support import ROOT

OFFLINE = Settings(provider="offline", rate=0)


def draft(answers, settings=OFFLINE):
    generation = manager().start(parse_request(answers), settings)
    follow(generation, poll=0.05)
    generation.join(5)
    return generation


@pytest.fixture
def history():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/history.py")
    at.run()
    at.slider(key="rate").set_value(0)  # actions write at full speed: these tests are about the page, not pacing

    def run():
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def test_empty_history_says_how_to_start(history):
    assert "No drafts match" in history().info[0].value


def test_lists_drafts_and_search_narrows(history):
    draft({"company": "Alpha Widgets"})
    draft({"doc_type": "nda", "company": "Beta Labs", "counterparty": "Gamma GmbH"})
    at = history()
    table = at.dataframe[0].value
    assert set(table["draft"]) == {"Terms of Service: Alpha Widgets", "Non-Disclosure Agreement: Beta Labs and Gamma GmbH"}
    at.text_input[0].input("Gamma")
    at = history()
    assert list(at.dataframe[0].value["draft"]) == ["Non-Disclosure Agreement: Beta Labs and Gamma GmbH"]
    assert [d.label for d in at.get("download_button")] == ["Download MD", "Download HTML", "Download DOCX"]


def test_new_version_opens_the_form_from_this_draft(history):
    parent = draft({"company": "Versioned Co"})
    at = history()
    next(b for b in at.button if b.label == "New version (edit the answers)").click()
    at = history()
    # The Generate page, told which draft's answers to fill the form with; nothing is generated yet.
    assert at.query_params.get("from") in (parent.id, [parent.id])
    assert len(manager().store.family(parent.id)) == 1


def test_new_version_is_linked_to_its_parent():
    parent = draft({"company": "Versioned Co"})
    child = manager().new_version(parent.id, OFFLINE)
    follow(child, poll=0.05)
    family = manager().store.family(parent.id)
    assert len(family) == 2 and family[1].parent_id == parent.id
    assert family[1].request == family[0].request


def test_regenerate_one_section_keeps_the_others(history):
    parent = draft({"company": "Regen Co"})
    at = history()
    at.selectbox(key="regen").set_value(3)
    # The template engine cannot follow an instruction, and the page says so before anyone relies on it.
    assert any("writes the same text again" in c.value for c in at.caption)
    at.text_input(key="regen-instruction").input("x" * 301)  # too long: refused with a message, nothing started
    next(b for b in at.button if b.label == "Regenerate this section as a new version").click()
    at = history()
    assert any("the limit is 300" in e.value for e in at.error) and len(manager().store.family(parent.id)) == 1
    at.text_input(key="regen-instruction").input("shorter")
    next(b for b in at.button if b.label == "Regenerate this section as a new version").click()
    history()
    [_, child] = manager().store.family(parent.id)
    generation = manager().get(child.id)
    follow(generation, poll=0.05)
    generation.join(5)
    assert generation.status == "completed"
    assert generation.text == parent.text  # the template engine writes the same section again; the rest is kept as is
    assert [a.kind for a in manager().store.attempts(child.id)] == ["section"]
    assert manager().store.get(child.id).settings["regenerate_section"] == 3
    assert manager().store.get(child.id).settings["regenerate_instruction"] == "shorter"


def test_versions_compare_in_the_page_and_as_html(history):
    parent = draft({"company": "Compare Co", "refund_days": 14, "payments": True})
    child = manager().start(parse_request({"company": "Compare Co", "refund_days": 30, "payments": True}), OFFLINE,
                            parent_id=parent.id)
    follow(child, poll=0.05)
    child.join(5)
    at = history()  # the newest draft, the child, is open
    assert at.selectbox(key="compare-with").value == parent.id
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert "changed" in shown and "<del>14</del>" in shown and "<ins>30</ins>" in shown
    assert any(d.label == "Download the comparison (HTML)" for d in at.get("download_button"))


def test_delete_needs_confirmation(history):
    doomed = draft({"company": "Doomed Co"})
    at = history()
    assert not [b for b in at.button if b.label == "Yes, delete it"]  # nothing deletes before the question
    at.button(key="delete").click()
    at = history()
    assert any("cannot be undone" in w.value for w in at.warning)
    at.button(key="delete-no").click()  # changing one's mind keeps it
    at = history()
    assert manager().store.get(doomed.id) is not None and not [b for b in at.button if b.label == "Yes, delete it"]
    at.button(key="delete").click()
    at = history()
    at.button(key="delete-yes").click()
    history()
    assert manager().store.get(doomed.id) is None


def test_downloads_are_named_after_the_company_and_type(history):
    kept = draft({"doc_type": "privacy", "company": "Lumen Robotics GmbH"})
    at = history()
    names = {d.label: d.proto for d in at.get("download_button")}
    assert set(names) >= {"Download MD", "Download HTML", "Download DOCX"}
    from contractgen.export import filename, info_for
    info = info_for(manager().store.get(kept.id))
    assert filename(info, "docx") == f"lumen-robotics-gmbh-privacy-policy-{kept.id}.docx"


def test_an_interrupted_draft_can_be_resumed_from_history(history):
    paused = draft({"company": "Paused Co"}, OFFLINE.with_(auto_resume=False, fault_plan="reset@5000"))
    assert paused.status == "interrupted"
    at = history()
    next(b for b in at.button if b.label == "Resume generation").click()
    history()
    follow(paused, poll=0.05)
    paused.join(5)
    assert paused.status == "completed"
