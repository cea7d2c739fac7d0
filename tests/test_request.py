import datetime as dt

import pytest

from contractgen.errors import InputError
from contractgen.request import parse_request

CASES = [
    ({}, "Company name must not be empty."),
    ({"company": ""}, "Company name must not be empty."),
    ({"company": "   "}, "Company name must not be empty."),
    ({"company": "x" * 121}, "Company name is 121 characters long; the limit is 120."),
    ({"company": "A", "product": "p" * 601}, "Product or service description is 601 characters long; the limit is 600."),
    ({"company": "A", "website": "acme"}, "Website \u201cacme\u201d is not a valid address; use the form https://example.com."),
    ({"company": "A", "website": "javascript:alert(1)"},
     "Website \u201cjavascript:alert(1)\u201d is not a valid address; use the form https://example.com."),
    ({"company": "A", "contact_email": "legal@"},
     "Contact email \u201clegal@\u201d is not a valid email address; use the form legal@example.com."),
    ({"company": "A", "minimum_age": 12}, "Minimum age must be at least 13."),
    ({"company": "A", "minimum_age": 22}, "Minimum age must be at most 21."),
    ({"company": "A", "minimum_age": "old"}, "Minimum age must be a whole number."),
    ({"company": "A", "payments": "perhaps"}, "Paid subscriptions must be yes or no."),
    ({"company": "A", "effective_date": "tomorrow"}, "Effective date must be a date written as YYYY-MM-DD."),
    ({"company": "A", "renewal": "weekly"}, "Renewal period must be one of 'monthly' or 'annual'."),
    ({"company": "Acme\u202e"}, "Company name contains invisible control characters (e.g. U+202E); please retype it."),
    ({"company": "Acme\x00"}, "Company name contains invisible control characters (e.g. U+0000); please retype it."),
    ({"company": "A", "colour": "red"}, "\u201ccolour\u201d is not a field of this document"),
]


@pytest.mark.parametrize(("answers", "message"), CASES)
def test_invalid_answers_get_one_clear_sentence(answers, message):
    with pytest.raises(InputError) as caught:
        parse_request(answers)
    assert caught.value.problems[0].startswith(message)


def test_every_problem_is_reported_at_once():
    with pytest.raises(InputError) as caught:
        parse_request({"company": "", "website": "nope", "minimum_age": 5})
    assert len(caught.value.problems) == 3


def test_valid_answers_are_normalised():
    request = parse_request({"company": "  Cafe\u0301 GmbH ", "website": "https://cafe.example", "payments": "yes",
                             "effective_date": "2026-01-31", "minimum_age": "16"})
    assert request.company == "Caf\u00e9 GmbH"  # NFC, trimmed
    assert request.payments is True
    assert request.effective_date == dt.date(2026, 1, 31)
    assert request.minimum_age == 16


def test_markup_in_fields_is_accepted_as_text():
    # Markup is not refused (a company may be called "<Tags> & Co"); it is escaped where printed.
    assert parse_request({"company": "<script>alert(1)</script>"}).company == "<script>alert(1)</script>"
