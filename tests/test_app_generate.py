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
    assert r"\<script\>alert\(1\)\</script\>" in shown_markdown(app)


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
    assert "timeout(s) handled" in app.warning[0].value
    assert "Automatic resume is off" in app.warning[0].value
    resume = [b for b in app.button if b.label == "Resume generation"]
    assert resume, "the Resume button is offered"
    resume[0].click().run()
    assert not app.exception
    # The rerun re-attaches to the same draft and follows it to the end.
    assert app.success[0].value.startswith("Completed: 15 sections")
    assert "1 timeout(s) handled" in app.success[0].value
    shown = shown_markdown(app)
    assert shown.count("## 1. Acceptance of These Terms") == 1


def test_injected_faults_are_survived_automatically(app):
    app.multiselect(key="faults").set_value(["stall", "cut"])
    app.number_input(key="fault_every").set_value(3000)
    app.text_input[0].input("Auto Co")
    app.button[0].click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Completed: 15 sections")
    assert "2 timeout(s) handled" in app.success[0].value


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
