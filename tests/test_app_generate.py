"""The Generate page through Streamlit's AppTest: real script runs, real engine."""

import pytest
from streamlit.testing.v1 import AppTest

from contractgen.request import parse_request
from contractgen.structure import parse

from support import ROOT, reference

PAGE = str(ROOT / "views" / "generate.py")


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    at.slider(key="rate").set_value(0)  # full speed: the test is about what is shown, not pacing
    return at


def shown_markdown(at):
    return "\n\n".join(m.value for m in at.markdown)


def test_generates_a_draft_with_the_company_and_all_sections(app):
    app.text_input[0].input("Acme Widgets Ltd")
    app.button[0].click().run()
    assert not app.exception
    assert not app.error
    shown = shown_markdown(app)
    expected = parse(reference(parse_request({"company": "Acme Widgets Ltd"})))
    assert "Acme Widgets Ltd" in shown
    for section in expected.sections:
        assert f"## {section.number}. {section.title}" in shown
    # The table of contents filled in: one expander per completed section.
    assert [e.label for e in app.expander if e.label[0].isdigit()] == [f"{s.number}. {s.title}" for s in expected.sections]
    assert app.success[0].value.startswith("Completed: 15 sections")
    assert "doc" in app.query_params
    assert any("Offline template engine" in c.value for c in app.caption)


def test_the_engine_is_labelled_as_a_template_engine(app):
    assert any("template engine, not AI" in c.value for c in app.sidebar.caption)


def test_bad_input_shows_every_problem_and_keeps_the_draft(app):
    app.text_input[0].input("Keep Me Inc")
    app.button[0].click().run()
    draft_id = app.query_params["doc"]
    app.text_input[0].input("")
    app.text_input[1].input("not a url")
    app.button[0].click().run()
    assert not app.exception
    message = app.error[0].value
    assert "Company name must not be empty." in message
    assert "Website \u201cnot a url\u201d is not a valid address" in message
    # The earlier draft is still on screen, under the same id.
    assert app.query_params["doc"] == draft_id
    assert "Keep Me Inc" in shown_markdown(app)


def test_script_in_a_field_is_shown_as_text(app):
    app.text_input[0].input("<script>alert(1)</script>")
    app.button[0].click().run()
    holding = [m for m in app.markdown if "alert" in m.value]
    assert holding, "the company name is in the draft"
    # Either escaped for Markdown, or as typed in an element that renders no HTML: shown as text, never run.
    assert all(r"\<script\>" in m.value or not m.proto.allow_html for m in holding)


def test_unknown_draft_id_in_the_url_gets_a_clear_message():
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params["doc"] = "doesnotexist"
    at.run()
    assert not at.exception
    assert "is not known to this server" in at.warning[0].value


def test_unreachable_provider_is_reported_in_the_page(app):
    app.radio(key="engine").set_value("openai").run()
    app.text_input(key="base_url").input("http://127.0.0.1:9/v1")
    app.text_input(key="api_key").input("sk-never-shown")
    app.number_input(key="max_resumes").set_value(0)  # fail at once: this test is about the message
    app.text_input[0].input("Acme")
    app.button[0].click().run()
    assert not app.exception
    message = app.error[0].value
    assert "Could not reach the provider" in message and "kept and can be downloaded" in message
    assert all("sk-never-shown" not in m.value for m in list(app.markdown) + list(app.error) + list(app.caption))


def test_manual_mode_shows_the_fault_and_the_resume_button(app):
    app.toggle(key="auto_resume").set_value(False)
    app.multiselect(key="faults").set_value(["reset"])
    app.number_input(key="fault_every").set_value(2000)
    app.text_input[0].input("Manual Co")
    app.button[0].click().run()
    assert not app.exception
    # The armed plan is said (sidebar and form); the status line names a reset as what it was, not a timeout.
    assert any("Faults armed for the next draft: `reset@2000`" in w.value for w in app.warning)
    status = next(w.value for w in app.warning if "handled" in w.value)
    assert "1 fault handled: 1 connection reset" in status
    assert "Automatic resume is off" in status
    resume = [b for b in app.button if b.label == "🔄 Resume Generation"]
    assert resume, "the Resume button is offered"
    resume[0].click().run()
    assert not app.exception
    # The rerun re-attaches to the same draft and follows it to the end.
    assert app.success[0].value.startswith("Completed: 15 sections")
    assert "1 fault handled: 1 connection reset" in app.success[0].value
    shown = shown_markdown(app)
    assert shown.count("## 1. Acceptance of These Terms") == 1


def test_injected_faults_are_survived_automatically(app):
    app.multiselect(key="faults").set_value(["stall", "cut"])
    app.number_input(key="fault_every").set_value(3000)
    app.text_input[0].input("Auto Co")
    app.button[0].click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Completed: 15 sections")
    # The seeds' words for the timeout, the reset named as a reset.
    assert "2 faults handled: 1 timeout, 1 connection reset" in app.success[0].value
    timeline = "\n".join(m.value for m in app.markdown if "character" in m.value)
    assert "timeout" in timeline and "connection reset" in timeline and "text flowing again after" in timeline


def test_only_timeouts_keep_the_seeds_words(app):
    app.multiselect(key="faults").set_value(["stall"])
    app.number_input(key="fault_every").set_value(3000)
    app.text_input[0].input("Stall Co")
    app.button[0].click().run()
    assert app.success[0].value.endswith("⚠️ 1 timeout(s) handled.")


@pytest.mark.parametrize(("mode", "label"), [("chunks", "group 4/4"), ("sections", "section 15/15")])
def test_each_mode_from_the_page_shows_mode_fit_progress(app, mode, label):
    app.radio(key="mode").set_value(mode)
    app.text_input[0].input("Mode Co")
    app.button[0].click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Completed: 15 sections")
    assert app.get("progress")[0].proto.text.startswith(label)
    assert any(f"{mode} mode" in c.value for c in app.caption)


def test_an_nda_from_its_guided_form(app):
    app.selectbox(key="doc_type").set_value("nda").run()
    app.text_input(key="nda.company").input("Acme Holdings")
    app.text_input(key="nda.counterparty").input("Beta Partners LLP")
    app.checkbox(key="nda.mutual").uncheck()
    app.button[0].click().run()
    assert not app.exception and not app.error
    assert app.success[0].value.startswith("Completed:")
    shown = shown_markdown(app)
    assert "# Non-Disclosure Agreement" in shown and "Beta Partners LLP" in shown


def test_a_missing_required_answer_of_another_type_is_named(app):
    app.selectbox(key="doc_type").set_value("nda").run()
    app.text_input(key="nda.company").input("Acme Holdings")
    app.button[0].click().run()
    assert "Other party must not be empty." in app.error[0].value


APP = str(ROOT / "app.py")


def test_the_frame_draws_the_settings_once_and_keeps_them_across_pages():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    at.radio(key="engine").set_value("openai").run()
    at.text_input(key="model").input("chosen-model").run()
    at.number_input(key="max_resumes").set_value(7).run()
    for page in ("views/history.py", "views/monitoring.py", "views/generate.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        # One sidebar (no duplicate widgets), with what was chosen on the first page.
        assert len([r for r in at.radio if r.key == "engine"]) == 1
        assert at.radio(key="engine").value == "openai"
        assert at.text_input(key="model").value == "chosen-model"
        assert at.number_input(key="max_resumes").value == 7
    # Back on Generate after other pages, the form's defaults are there again (Country, Governing law...).
    at.radio(key="engine").set_value("offline").run()
    at.slider(key="rate").set_value(0).run()
    at.text_input(key="tos.company").input("Round Trip Co")
    next(b for b in at.button if b.label == "Generate").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Completed: 15 sections")


def test_the_page_says_a_draft_is_not_legal_advice(app):
    from contractgen.documents import NOT_LEGAL_ADVICE

    assert any(NOT_LEGAL_ADVICE in c.value for c in app.caption)


def test_a_long_answer_is_refused_with_the_forms_message_not_cut(app):
    assert app.text_input[0].placeholder == "Up to 120 characters."
    long_name = "Acme Robotics " * 35  # 490 characters
    app.text_input[0].input(long_name)
    app.button[0].click().run()
    assert app.text_input[0].value == long_name  # kept as typed
    assert f"Company name is {len(long_name.strip())} characters long; the limit is 120." in app.error[0].value
    assert "doc" not in app.query_params


def test_from_a_draft_opens_the_form_prefilled_and_generates_a_new_version(app):
    from contractgen.generation import manager

    app.selectbox(key="doc_type").set_value("nda").run()
    app.text_input(key="nda.company").input("Lumen Robotics")
    app.text_input(key="nda.counterparty").input("Beta Partners LLP")
    app.number_input(key="nda.term_years").set_value(4)
    app.button[0].click().run()
    first = app.query_params["doc"]

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["from"] = first
    at.run()
    assert not at.exception
    assert at.selectbox(key="doc_type").value == "nda"
    assert at.text_input(key="nda.company").value == "Lumen Robotics"
    assert at.text_input(key="nda.counterparty").value == "Beta Partners LLP"
    assert at.number_input(key="nda.term_years").value == 4
    assert at.expander[0].label.startswith("New version of your draft")
    at.slider(key="rate").set_value(0)
    at.text_input(key="nda.counterparty").input("Gamma GmbH")
    at.button[0].click().run()
    assert not at.exception and not at.error
    second = at.query_params["doc"]
    assert "from" not in at.query_params and second != first
    record = manager().store.get(second)
    assert record.parent_id == first and record.request["counterparty"] == "Gamma GmbH"
    assert record.request["company"] == "Lumen Robotics"


def test_a_paused_draft_says_so_and_offers_resume():
    import time

    from contractgen.config import Settings
    from contractgen.generation import manager

    generation = manager().start(parse_request({"company": "Paused Co"}), Settings(provider="offline", rate=300))
    while len(generation.text) < 600:
        time.sleep(0.02)
    manager().pause(generation.id)
    generation.join(15)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["doc"] = generation.id
    at.run()
    assert not at.exception
    assert any(i.value.startswith("⏸️ Paused at") or "Paused at" in i.value for i in at.info)
    resume = [b for b in at.button if b.label == "🔄 Resume Generation"]
    assert resume
    at.slider(key="rate").set_value(0)
    resume[0].click().run()
    assert at.success[0].value.startswith("Completed: 15 sections")


def test_history_resumes_with_the_engine_chosen_on_another_page(served):
    from contractgen.config import Settings
    from contractgen.generation import manager

    # An interrupted draft, written by the offline engine.
    first = manager().start(parse_request({"company": "Engine Co"}),
                            Settings(provider="offline", rate=0, auto_resume=False, fault_plan="reset@3000"))
    first.join(30)
    assert first.status == "interrupted"

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="engine").set_value("openai").run()
    at.text_input(key="base_url").input(served.base_url).run()
    at.text_input(key="model").input("contractgen-offline").run()
    at.switch_page("views/history.py").run()
    assert not at.exception
    next(b for b in at.button if b.label == "Resume generation").click().run()
    assert not at.exception
    manager().get(first.id).join(60)
    attempts = manager().store.attempts(first.id)
    # The resume ran on the engine chosen on the Generate page, not on the defaults History would draw.
    assert [a.provider for a in attempts] == ["offline", "openai"]
    assert attempts[-1].model == "contractgen-offline"
    assert manager().store.get(first.id).status == "completed"
