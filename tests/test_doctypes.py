"""Every document type drafts offline with all its sections, from a form that asks every required question."""

import pytest

from contractgen.forms import DOC_TYPES, steps
from contractgen.library import get_library, outline
from contractgen.offline import OfflineEngine
from contractgen.prompts import build_messages, parse_messages
from contractgen.request import REQUEST_MODELS, parse_request
from contractgen.structure import parse

MINIMAL = {
    "tos": {"company": "Acme"},
    "privacy": {"doc_type": "privacy", "company": "Acme"},
    "nda": {"doc_type": "nda", "company": "Acme", "counterparty": "Beta GmbH"},
    "saas": {"doc_type": "saas", "company": "Acme"},
}
TITLES = {"tos": "Terms of Service", "privacy": "Privacy Policy", "nda": "Non-Disclosure Agreement",
          "saas": "SaaS Subscription Agreement"}


def test_every_type_has_a_model_a_library_and_a_form():
    assert set(DOC_TYPES) == set(REQUEST_MODELS) == set(MINIMAL)
    for key in DOC_TYPES:
        assert get_library(key).title == TITLES[key]


@pytest.mark.parametrize("doc_type", list(MINIMAL))
def test_each_type_drafts_offline_with_all_its_sections(doc_type):
    request = parse_request(MINIMAL[doc_type])
    text = "".join(d.text for d in OfflineEngine(rate=0).stream(request))
    doc = parse(text)
    expected = outline(get_library(doc_type), request)
    assert doc.title == TITLES[doc_type]
    assert len(expected) >= 10
    assert [(s.number, s.title) for s in doc.sections] == [(s.number, s.title) for s in expected]
    assert all(s.subsections for s in doc.sections)
    assert "Acme" in text and "{" not in text and "}" not in text
    assert len(text.split()) >= 2000


@pytest.mark.parametrize("doc_type", list(MINIMAL))
def test_prompt_round_trips_for_the_served_engine(doc_type):
    request = parse_request(MINIMAL[doc_type])
    again, partial, sections = parse_messages(build_messages(request, "partial text", sections=[2, 3]))
    assert again == request and partial == "partial text" and sections == [2, 3]
    assert TITLES[doc_type] in build_messages(request)[1]["content"]


@pytest.mark.parametrize("doc_type", list(MINIMAL))
def test_the_form_asks_every_required_question_once(doc_type):
    asked = [f.name for step in steps(doc_type) for f in step.fields]
    required = [n for n, info in REQUEST_MODELS[doc_type].model_fields.items() if info.is_required()]
    assert len(asked) == len(set(asked))
    assert set(required) <= set(asked)
    assert set(asked) <= set(REQUEST_MODELS[doc_type].model_fields)


def test_form_defaults_are_valid_answers():
    for doc_type in DOC_TYPES:
        answers = {f.name: f.default for step in steps(doc_type) for f in step.fields}
        answers.update({"doc_type": doc_type, "company": "Acme", "counterparty": "Beta"} if doc_type == "nda"
                       else {"doc_type": doc_type, "company": "Acme"})
        assert parse_request(answers).doc_type == doc_type


def test_nda_options_change_the_text():
    mutual = "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request(MINIMAL["nda"])))
    one_way = "".join(d.text for d in OfflineEngine(rate=0).stream(parse_request({**MINIMAL["nda"], "mutual": False,
                                                                                   "non_solicit": True})))
    assert "Non-Solicitation" in one_way and "Non-Solicitation" not in mutual
    assert mutual != one_way


def test_privacy_options_add_ccpa_and_transfers():
    base = [s.title for s in outline(get_library("privacy"), parse_request(MINIMAL["privacy"]))]
    full = [s.title for s in outline(get_library("privacy"), parse_request(
        {**MINIMAL["privacy"], "ccpa": True, "international_transfers": True}))]
    assert len(full) == len(base) + 2


def test_required_fields_start_empty():
    for doc_type in DOC_TYPES:
        for step in steps(doc_type):
            for f in step.fields:
                if f.required:
                    assert f.default is None, (doc_type, f.name)
                else:
                    assert "Undefined" not in repr(f.default), (doc_type, f.name)
